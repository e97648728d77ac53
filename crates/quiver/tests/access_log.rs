//! Access logs, in a test binary of their own: `tracing` caches per-callsite interest, so a
//! subscriber installed for one test in a process shared with others may miss events.

use std::io::Write;
use std::sync::{Arc, Mutex};

use quiver::prelude::*;

#[get("/data")]
async fn data() -> &'static str {
    "data"
}

fn app() -> App {
    App::new().routes(routes![data])
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn every_response_is_logged_with_method_path_status_and_request_id() {
    let captured = Captured::default();
    let writer = captured.clone();
    quiver::deps::tracing::subscriber::with_default(
        tracing_subscriber_for_test(move || writer.clone()),
        || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                TestClient::new(app()).get("/data").header("x-request-id", "log-me").await;
            });
        },
    );
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("log-me"), "{logs}");
    assert!(logs.contains("/data"), "{logs}");
    assert!(logs.contains("status=200"), "{logs}");
}

fn tracing_subscriber_for_test<W>(
    make: impl Fn() -> W + Send + Sync + 'static,
) -> impl quiver::deps::tracing::Subscriber
where
    W: Write + 'static,
{
    tracing_subscriber::fmt().with_writer(make).with_ansi(false).finish()
}
