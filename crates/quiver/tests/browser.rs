//! The interactive API docs in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`): Swagger UI lists the operations and "Try it out" gets a real answer; ReDoc
//! renders. Screenshots go to `target/docs-screenshots/`. Without chromedriver the test says so
//! and passes, so `cargo test` works on a machine without a browser; CI installs one.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use quiver::Server;
use quiver::prelude::*;

#[derive(Serialize, JsonSchema)]
struct Item {
    id: u32,
    name: String,
}

/// Read one item.
#[get("/items/{id}", tag = "items")]
async fn read_item(#[path] id: u32) -> Json<Item> {
    Json(Item { id, name: format!("item number {id}") })
}

/// Knows the caller by the bearer token `let-me-in`.
#[derive(Clone)]
struct Caller;

impl Dependency for Caller {
    async fn provide(
        parts: &mut quiver::deps::http::request::Parts,
        _: &AppContext,
    ) -> Result<Self> {
        match parts.headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer let-me-in") => Ok(Caller),
            _ => Err(HttpError::unauthorized("Not authenticated").into()),
        }
    }

    fn describe(
        doc: &mut quiver::openapi::OperationDoc,
        _: &mut quiver::deps::schemars::SchemaGenerator,
    ) {
        doc.security("bearerAuth", quiver::openapi::SecurityScheme::bearer(None), &[]);
        doc.error_response(401, "Not authenticated");
    }
}

/// Who is calling.
#[get("/me")]
async fn me(Dep(_caller): Dep<Caller>) -> &'static str {
    "the caller"
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn chromedriver() -> Option<(Driver, u16)> {
    let binary = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())?;
    let port = free_port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Some((driver, port))
}

async fn browser(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,1000"],
        }),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver starts a Chromium session")
}

fn screenshot_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../docs-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_tries_an_operation_and_redoc_renders() {
    let Some((_driver, driver_port)) = chromedriver() else {
        // CI installs the browser: there, a missing one is a failure, not a skip.
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium and chromium-driver");
        eprintln!("skipped: chromedriver not found (apt-get install chromium chromium-driver)");
        return;
    };
    let app = App::new().title("Browser test").routes(routes![read_item, me]);
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.local_addr().port());
    let stop = server.shutdown_handle();
    tokio::spawn(server.run());

    let client = browser(driver_port).await;
    let result = async {
        client.goto(&format!("{base}/docs")).await?;
        let operation = client.wait().for_element(Locator::Css(".opblock-summary")).await?;
        let listed =
            client.find(Locator::Css("#operations-items-read_item .opblock-summary-path")).await?;
        assert_eq!(listed.text().await?, "/items/{id}");
        client
            .screenshot()
            .await
            .map(|png| std::fs::write(screenshot_dir().join("swagger-ui.png"), png))?
            .ok();

        operation.click().await?;
        client.wait().for_element(Locator::Css(".try-out__btn")).await?.click().await?;
        client
            .wait()
            .for_element(Locator::Css("input[placeholder='id']"))
            .await?
            .send_keys("42")
            .await?;
        client.find(Locator::Css(".execute")).await?.click().await?;
        let status = client
            .wait()
            .for_element(Locator::Css(".live-responses-table tr.response .response-col_status"))
            .await?;
        assert_eq!(status.text().await?.trim(), "200");
        let body = client
            .find(Locator::Css(".live-responses-table tr.response .microlight"))
            .await?
            .text()
            .await?;
        assert!(body.contains("item number 42"), "{body}");
        client
            .screenshot()
            .await
            .map(|png| std::fs::write(screenshot_dir().join("swagger-ui-try-it-out.png"), png))?
            .ok();

        // Authorize with the app's bearer scheme, then call the protected operation.
        client.find(Locator::Css(".auth-wrapper .authorize")).await?.click().await?;
        client
            .wait()
            .for_element(Locator::Css(".modal-ux input"))
            .await?
            .send_keys("let-me-in")
            .await?;
        client.find(Locator::Css(".modal-ux .auth-btn-wrapper .authorize")).await?.click().await?;
        client.find(Locator::Css(".modal-ux .btn-done")).await?.click().await?;
        client.find(Locator::Css("#operations-default-me .opblock-summary")).await?.click().await?;
        let me = "#operations-default-me";
        client
            .wait()
            .for_element(Locator::Css(&format!("{me} .try-out__btn")))
            .await?
            .click()
            .await?;
        client.wait().for_element(Locator::Css(&format!("{me} .execute"))).await?.click().await?;
        let status = client
            .wait()
            .for_element(Locator::Css(&format!(
                "{me} .live-responses-table tr.response .response-col_status"
            )))
            .await?;
        assert_eq!(status.text().await?.trim(), "200", "the token was sent");

        client.goto(&format!("{base}/redoc")).await?;
        let heading = client.wait().for_element(Locator::Css("h1")).await?;
        assert!(heading.text().await?.contains("Browser test"));
        client
            .wait()
            .for_element(Locator::XPath("//*[contains(text(), 'Read one item.')]"))
            .await?;
        client
            .screenshot()
            .await
            .map(|png| std::fs::write(screenshot_dir().join("redoc.png"), png))?
            .ok();
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    stop.shutdown();
    result.expect("the docs pages work in Chromium");
}
