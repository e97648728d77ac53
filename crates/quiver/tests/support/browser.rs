//! Helpers for the tests that drive a real headless Chromium through chromedriver (Debian's
//! `chromium` and `chromium-driver`). Included by each browser test with `#[path]`; each uses
//! some of them.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use quiver::Server;
use quiver::prelude::*;

/// A running chromedriver, stopped when dropped.
pub struct Driver(Child);

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

/// chromedriver, or `None` after saying why the test is skipped. CI installs the browser:
/// there, a missing one is a failure, not a skip.
pub fn chromedriver_or_skip() -> Option<(Driver, u16)> {
    let found = chromedriver();
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must install chromium and chromium-driver");
        eprintln!("skipped: chromedriver not found (apt-get install chromium chromium-driver)");
    }
    found
}

/// Serves `app` on a free local port; its base URL and the handle that stops it.
pub async fn serve(app: App) -> (String, quiver::server::ShutdownHandle) {
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", server.local_addr().port());
    let stop = server.shutdown_handle();
    tokio::spawn(server.run());
    (base, stop)
}

pub async fn browser(port: u16) -> Client {
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

/// `target/<name>/`, made if missing.
pub fn screenshot_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("..").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The element `css` on the current page.
pub async fn find(client: &Client, css: &str) -> Result<Element, CmdError> {
    client.find(Locator::Css(css)).await
}

/// Waits until the current page has `css` (use after a navigation).
pub async fn wait_for(client: &Client, css: &str) -> Result<Element, CmdError> {
    client.wait().for_element(Locator::Css(css)).await
}

/// Clicks the element `css`.
pub async fn click(client: &Client, css: &str) -> Result<(), CmdError> {
    find(client, css).await?.click().await
}

/// Replaces what the input `css` holds with `value`, by typing.
pub async fn fill(client: &Client, css: &str, value: &str) -> Result<(), CmdError> {
    let input = find(client, css).await?;
    input.clear().await?;
    input.send_keys(value).await
}

/// The text a user sees in `css`.
pub async fn text_of(client: &Client, css: &str) -> Result<String, CmdError> {
    Ok(find(client, css).await?.text().await?.trim().to_owned())
}

/// The text of every element matching `css`.
pub async fn texts_of(client: &Client, css: &str) -> Result<Vec<String>, CmdError> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await? {
        texts.push(element.text().await?.trim().to_owned());
    }
    Ok(texts)
}

/// The current value of the form control `css`.
pub async fn value_of(client: &Client, css: &str) -> Result<String, CmdError> {
    Ok(find(client, css).await?.prop("value").await?.unwrap_or_default())
}

/// Writes a PNG of the current page as `folder/name` under the target directory.
pub async fn screenshot(client: &Client, folder: &str, name: &str) -> Result<(), CmdError> {
    let png = client.screenshot().await?;
    std::fs::write(screenshot_dir(folder).join(name), png).expect("the screenshot is written");
    Ok(())
}
