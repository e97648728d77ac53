//! Helpers for the tests that drive a real headless Chromium through chromedriver (Debian's
//! `chromium` and `chromium-driver`). Included by each browser test with `#[path]`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
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
