//! Settings: profiles from quiver.toml, QUIVER_* overrides, checks that name the setting and
//! the fix, secrets never printed. `figment::Jail` isolates the environment and the directory.

// `Jail`'s closures return figment's (large) error type; that is its API.
#![allow(clippy::result_large_err)]

use figment::Jail;
use quiver::settings::{DEV_SECRET_KEY, Settings};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Shop {
    currency: String,
    #[serde(default)]
    page_size: u32,
}

const FILE: &str = r#"
[default]
currency = "EUR"
page_size = 20

[dev]
bind = "127.0.0.1:9000"

[prod]
debug = false
allowed_hosts = ["shop.example.com"]
https = true
behind_proxy = true
"#;

#[test]
fn profiles_layer_over_defaults_and_the_environment_wins() {
    Jail::expect_with(|jail| {
        jail.create_file("quiver.toml", FILE)?;
        let dev: Settings<Shop> = Settings::load().expect("dev settings");
        assert_eq!(
            (dev.profile.as_str(), dev.debug, dev.bind.as_str()),
            ("dev", true, "127.0.0.1:9000")
        );
        assert_eq!(dev.database_url, "sqlite://db.sqlite3");
        assert_eq!((dev.app.currency.as_str(), dev.app.page_size), ("EUR", 20));

        jail.set_env("QUIVER_PROFILE", "prod");
        jail.set_env("QUIVER_SECRET_KEY", "k".repeat(40));
        jail.set_env("QUIVER_DATABASE_URL", "postgres://shop:hunter2@db/shop");
        jail.set_env("QUIVER_PAGE_SIZE", "50");
        let prod: Settings<Shop> = Settings::load().expect("prod settings");
        assert!(!prod.debug && prod.https && prod.behind_proxy);
        assert_eq!(prod.allowed_hosts, ["shop.example.com"]);
        assert_eq!(prod.bind, "127.0.0.1:8000", "the dev table does not apply");
        assert_eq!(prod.app.page_size, 50);
        let printed = format!("{prod:?}");
        assert!(!printed.contains("hunter2") && !printed.contains("kkkk"), "{printed}");
        assert!(printed.contains("postgres://shop:***@db/shop"), "{printed}");
        Ok(())
    });
}

#[test]
fn prod_refuses_the_development_key_debug_and_wildcard_hosts() {
    Jail::expect_with(|jail| {
        jail.create_file("quiver.toml", "[prod]\ndebug = true\nallowed_hosts = [\"*\"]\n")?;
        jail.set_env("QUIVER_PROFILE", "prod");
        let error = Settings::<quiver::settings::NoExtra>::load().unwrap_err();
        let text = error.to_string();
        assert!(text.contains("setting `debug` is true in prod"), "{text}");
        assert!(text.contains("setting `secret_key` is the development key in prod"), "{text}");
        assert!(text.contains("openssl rand"), "{text}");
        assert!(text.contains("setting `allowed_hosts` contains \"*\""), "{text}");
        assert!(!text.contains(DEV_SECRET_KEY), "never the key itself: {text}");

        jail.set_env("QUIVER_SECRET_KEY", "short");
        let text = Settings::<quiver::settings::NoExtra>::load().unwrap_err().to_string();
        assert!(text.contains("`secret_key` is 5 bytes"), "{text}");
        assert!(!text.contains("short"), "{text}");
        Ok(())
    });
}

#[test]
fn bad_values_name_the_setting_and_the_fix() {
    Jail::expect_with(|jail| {
        jail.set_env("QUIVER_BIND", "localhost");
        jail.set_env("QUIVER_DATABASE_URL", "oracle://x");
        let text = Settings::<quiver::settings::NoExtra>::load().unwrap_err().to_string();
        assert!(
            text.contains("setting `bind` is \"localhost\": write an address and port"),
            "{text}"
        );
        assert!(text.contains("setting `database_url` is \"oracle://x\""), "{text}");

        jail.clear_env();
        jail.set_env("QUIVER_HTTPS", "sometimes");
        let text = Settings::<quiver::settings::NoExtra>::load().unwrap_err().to_string();
        assert!(text.contains("setting `https`"), "{text}");
        assert!(text.contains("expected a boolean"), "{text}");

        jail.clear_env();
        jail.create_file("quiver.toml", "[default]\npage_size = 10\n")?;
        let text = Settings::<Shop>::load().unwrap_err().to_string();
        assert!(text.contains("setting `currency` is missing"), "{text}");
        assert!(text.contains("QUIVER_CURRENCY"), "{text}");
        Ok(())
    });
}

#[tokio::test]
async fn configure_applies_the_hosts_and_https_to_the_app() {
    let settings = Settings::builder()
        .toml("[test]\nallowed_hosts = [\"shop.example.com\"]\nhttps = true\nbehind_proxy = true")
        .profile("test")
        .without_env()
        .load::<quiver::settings::NoExtra>()
        .unwrap();
    assert!(!settings.debug, "debug is for dev only");
    async fn hello() -> &'static str {
        "hello"
    }
    let client =
        quiver::testing::TestClient::new(settings.configure(quiver::App::new().get("/", hello)));
    assert_eq!(client.get("/").await.status(), 400, "testserver is not an allowed host");
    let ok = client
        .get("/")
        .header("host", "shop.example.com")
        .header("x-forwarded-proto", "https")
        .await;
    assert_eq!(ok.status(), 200);
    assert!(ok.header("strict-transport-security").is_some());
}
