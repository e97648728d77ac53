//! Typed settings: defaults, then `quiver.toml` (a `[default]` table and one per profile:
//! `[dev]`, `[test]`, `[prod]`), then `QUIVER_*` environment variables. The profile comes from
//! `QUIVER_PROFILE` (default `dev`). Loading checks the values and, in `prod`, refuses the
//! development secret key, `debug = true` and a wildcard host, with messages that name the
//! setting and the fix. Secrets never appear in `Debug` output or errors.
//!
//! ```
//! use quiver::settings::Settings;
//!
//! #[derive(serde::Deserialize, Debug, Default)]
//! struct Shop {
//!     #[serde(default)]
//!     currency: String,
//! }
//!
//! let settings: Settings<Shop> = Settings::builder()
//!     .toml("[default]\ncurrency = \"EUR\"\n[dev]\nbind = \"127.0.0.1:9000\"")
//!     .profile("dev")
//!     .load()
//!     .unwrap();
//! assert_eq!(settings.bind, "127.0.0.1:9000");
//! assert_eq!(settings.app.currency, "EUR");
//! assert!(format!("{settings:?}").contains("secret_key: ***"));
//! ```

use std::fmt;
use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The secret key used when none is configured: fine for development, refused in `prod`.
pub const DEV_SECRET_KEY: &str = "quiver-insecure-development-key-do-not-use-in-production";

/// A value kept out of logs: `Debug` and `Display` print `***`.
///
/// ```
/// let key = quiver::settings::Secret::new("s3cr3t");
/// assert_eq!(format!("{key:?}"), "***");
/// assert_eq!(key.expose(), "s3cr3t");
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the code that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// No settings of the app's own.
#[derive(Debug, Clone, Copy, Default, Deserialize, Serialize)]
pub struct NoExtra {}

/// The framework's settings, and the app's own (`app`, from the same tables and variables).
#[derive(Clone, Deserialize)]
pub struct Settings<T = NoExtra> {
    /// The profile the values came from (`dev`, `test`, `prod`, or another table's name).
    #[serde(default)]
    pub profile: String,
    /// Development conveniences (debug error pages); never in `prod`.
    pub debug: bool,
    /// Where the server listens (`QUIVER_BIND`).
    pub bind: String,
    /// The database (`QUIVER_DATABASE_URL`): the SQLite file `db.sqlite3` by default, an
    /// in-memory SQLite database in the `test` profile.
    pub database_url: String,
    /// Signs sessions and tokens (`QUIVER_SECRET_KEY`); at least 32 bytes in `prod`.
    pub secret_key: Secret,
    /// The hosts the app answers (`QUIVER_ALLOWED_HOSTS="[a.com, b.com]"`).
    pub allowed_hosts: Vec<String>,
    /// Served over HTTPS (redirect, HSTS, Secure cookies).
    pub https: bool,
    /// Behind a proxy whose `X-Forwarded-*` headers are trusted.
    pub behind_proxy: bool,
    /// Redis for shared sessions and limits, when set (`QUIVER_REDIS_URL`).
    pub redis_url: Option<String>,
    /// Logs as one JSON object a line, for log collectors (default: on in `prod`).
    pub log_json: bool,
    /// `runserver` applies pending migrations before serving (default: on, except in `prod`,
    /// where several instances would race: run `migrate` once per deploy instead).
    pub migrate_on_start: bool,
    /// Where uploaded files are kept (`QUIVER_MEDIA_ROOT`, default `media`).
    pub media_root: PathBuf,
    /// The app's own settings.
    #[serde(flatten)]
    pub app: T,
}

impl<T: fmt::Debug> fmt::Debug for Settings<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("profile", &self.profile)
            .field("debug", &self.debug)
            .field("bind", &self.bind)
            .field("database_url", &redact_url(&self.database_url))
            .field("secret_key", &self.secret_key)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("https", &self.https)
            .field("behind_proxy", &self.behind_proxy)
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("log_json", &self.log_json)
            .field("migrate_on_start", &self.migrate_on_start)
            .field("media_root", &self.media_root)
            .field("app", &self.app)
            .finish()
    }
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((credentials, host)) = rest.rsplit_once('@') else { return url.to_owned() };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[derive(Serialize)]
struct Defaults {
    debug: bool,
    bind: &'static str,
    database_url: &'static str,
    secret_key: &'static str,
    allowed_hosts: Vec<&'static str>,
    https: bool,
    behind_proxy: bool,
    log_json: bool,
    migrate_on_start: bool,
    media_root: &'static str,
}

impl Defaults {
    fn for_profile(profile: &str) -> Self {
        Self {
            debug: profile == "dev",
            bind: "127.0.0.1:8000",
            // Tests get a new, empty database each time.
            database_url: if profile == "test" { "sqlite::memory:" } else { "sqlite://db.sqlite3" },
            secret_key: DEV_SECRET_KEY,
            // `testserver` is the host `TestClient` sends, allowed in tests as Django does.
            allowed_hosts: if profile == "test" {
                vec!["localhost", "127.0.0.1", "[::1]", "testserver"]
            } else {
                vec!["localhost", "127.0.0.1", "[::1]"]
            },
            https: false,
            behind_proxy: false,
            log_json: profile == "prod",
            migrate_on_start: profile != "prod",
            media_root: "media",
        }
    }
}

/// What is wrong with the settings: one line per problem, each naming the setting and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// The problems.
    pub problems: Vec<String>,
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the settings are not valid:")?;
        for problem in &self.problems {
            writeln!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SettingsError {}

/// Where settings come from; see [`Settings::builder`].
#[derive(Debug, Clone)]
pub struct SettingsBuilder {
    file: Option<PathBuf>,
    text: Option<String>,
    profile: Option<String>,
    env: bool,
}

impl<T: DeserializeOwned> Settings<T> {
    /// Defaults, `quiver.toml` in the working directory (if present), then `QUIVER_*`
    /// variables, for the profile in `QUIVER_PROFILE` (default `dev`).
    pub fn load() -> Result<Self, SettingsError> {
        Settings::builder().load()
    }
}

impl Settings {
    /// Choose the sources yourself (tests, another file name); `load::<T>()` picks the app's
    /// own settings type.
    pub fn builder() -> SettingsBuilder {
        SettingsBuilder { file: Some("quiver.toml".into()), text: None, profile: None, env: true }
    }
}

impl SettingsBuilder {
    /// Reads this TOML file instead of `quiver.toml`.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Reads this TOML text instead of a file.
    pub fn toml(mut self, text: &str) -> Self {
        self.file = None;
        self.text = Some(text.to_owned());
        self
    }

    /// Uses this profile instead of `QUIVER_PROFILE`.
    pub fn profile(mut self, profile: &str) -> Self {
        self.profile = Some(profile.to_owned());
        self
    }

    /// Ignores `QUIVER_*` environment variables.
    pub fn without_env(mut self) -> Self {
        self.env = false;
        self
    }

    /// Loads and checks the settings.
    pub fn load<T: DeserializeOwned>(self) -> Result<Settings<T>, SettingsError> {
        let profile = self
            .profile
            .or_else(|| std::env::var("QUIVER_PROFILE").ok())
            .unwrap_or_else(|| "dev".to_owned());
        let mut figment = Figment::from(Serialized::defaults(Defaults::for_profile(&profile)));
        if let Some(path) = &self.file {
            figment = figment.merge(Toml::file(path).nested());
        }
        if let Some(text) = &self.text {
            figment = figment.merge(Toml::string(text).nested());
        }
        if self.env {
            let variables = Env::prefixed("QUIVER_").ignore(&[
                "PROFILE",
                "TEST_POSTGRES_URL",
                "TEST_MYSQL_URL",
                "TEST_REDIS_URL",
                "TEST_DJANGO_PYTHON",
            ]);
            figment = figment.merge(variables.global());
        }
        let figment = figment.select(profile.as_str());
        let mut settings: Settings<T> = figment.extract().map_err(|error| SettingsError {
            problems: error.into_iter().map(|e| describe(&e)).collect(),
        })?;
        settings.profile = profile;
        let problems = settings.problems();
        if problems.is_empty() { Ok(settings) } else { Err(SettingsError { problems }) }
    }
}

/// A figment error as "setting `x`: what is wrong", never with the value itself (it may be a
/// secret).
fn describe(error: &figment::Error) -> String {
    let name = if error.path.is_empty() { "(settings)".to_owned() } else { error.path.join(".") };
    let source = error.metadata.as_ref().map(|m| format!(" (from {})", m.name)).unwrap_or_default();
    let what = match &error.kind {
        figment::error::Kind::InvalidType(actual, expected) => {
            format!("expected {expected}, found {actual}")
        }
        figment::error::Kind::MissingField(field) => {
            return format!(
                "setting `{field}` is missing{source}: add it to quiver.toml or set QUIVER_{}",
                field.to_uppercase()
            );
        }
        figment::error::Kind::UnknownField(field, _) => format!("unknown setting `{field}`"),
        other => other.to_string(),
    };
    format!("setting `{name}`{source}: {what}")
}

impl<T> Settings<T> {
    /// Applies the HTTP settings to `app`: allowed hosts, HTTPS (redirect, HSTS, Secure
    /// cookies) and the trusted proxy.
    ///
    /// ```
    /// let settings = quiver::settings::Settings::builder()
    ///     .toml("[dev]\nhttps = true\nallowed_hosts = [\"shop.example.com\"]")
    ///     .without_env()
    ///     .load::<quiver::settings::NoExtra>()
    ///     .unwrap();
    /// let app = settings.configure(quiver::App::new());
    /// assert!(app.security_settings().https.is_some());
    /// ```
    pub fn configure(&self, app: crate::App) -> crate::App {
        let mut app = app.allowed_hosts(self.allowed_hosts.clone());
        if self.https {
            app = app.https(crate::security::Https::default());
        }
        if self.behind_proxy {
            app = app.behind_proxy();
        }
        app
    }

    /// Problems with the values; in `prod`, everything unsafe is a problem.
    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.bind.parse::<std::net::SocketAddr>().is_err() {
            problems.push(format!(
                "setting `bind` is {:?}: write an address and port such as 127.0.0.1:8000 or 0.0.0.0:8000",
                self.bind
            ));
        }
        if !["sqlite:", "postgres:", "postgresql:", "mysql:", "mariadb:"]
            .iter()
            .any(|scheme| self.database_url.starts_with(scheme))
        {
            problems.push(format!(
                "setting `database_url` is {:?}: use sqlite://FILE, postgres://... or mysql://...",
                redact_url(&self.database_url)
            ));
        }
        if self.allowed_hosts.is_empty() {
            problems.push(
                "setting `allowed_hosts` is empty: list the host names the app is reached by"
                    .to_owned(),
            );
        }
        if self.profile == "prod" {
            if self.debug {
                problems.push("setting `debug` is true in prod: set QUIVER_DEBUG=false (debug pages leak internals)".to_owned());
            }
            if self.secret_key.expose() == DEV_SECRET_KEY {
                problems.push("setting `secret_key` is the development key in prod: set QUIVER_SECRET_KEY to 32+ random bytes (e.g. `openssl rand -base64 48`)".to_owned());
            } else if self.secret_key.expose().len() < 32 {
                problems.push(format!(
                    "setting `secret_key` is {} bytes in prod: use at least 32 random bytes (e.g. `openssl rand -base64 48`)",
                    self.secret_key.expose().len()
                ));
            }
            if self.allowed_hosts.iter().any(|h| h == "*") {
                problems.push(
                    "setting `allowed_hosts` contains \"*\" in prod: list your domains".to_owned(),
                );
            }
        }
        problems
    }
}
