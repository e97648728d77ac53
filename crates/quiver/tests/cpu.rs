//! CPU-bound work and admission control (issue 9), over real TCP on a server with ONE I/O
//! thread: a saturated pool does not stop other routes; a full queue answers 503 with
//! Retry-After at once; a wait budget refuses work it could not start in time; shutdown answers
//! every accepted request; a route's concurrency limit sheds the excess; a handler that blocks
//! its I/O thread is named in a warning. No test depends on how fast the machine is: busy work
//! waits on a gate the test opens.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use quiver::cpu::{CpuPool, Reason};
use quiver::prelude::*;
use quiver::server::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Work that runs until the test opens the gate; counts the jobs that started.
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<(bool, usize)>, Condvar)>);

impl Gate {
    fn hold(&self) {
        let (lock, signal) = &*self.0;
        let mut state = lock.lock().unwrap();
        state.1 += 1;
        signal.notify_all();
        while !state.0 {
            state = signal.wait(state).unwrap();
        }
    }

    fn open(&self) {
        let (lock, signal) = &*self.0;
        lock.lock().unwrap().0 = true;
        signal.notify_all();
    }

    /// Waits (off the runtime) until `n` jobs have started.
    async fn started(&self, n: usize) {
        let gate = self.clone();
        tokio::task::spawn_blocking(move || {
            let (lock, signal) = &*gate.0;
            let mut state = lock.lock().unwrap();
            while state.1 < n {
                state = signal.wait(state).unwrap();
            }
        })
        .await
        .unwrap();
    }
}

/// Holds a pool thread until the gate opens.
#[get("/work")]
async fn work(pool: CpuPool, gate: State<Gate>) -> Result<&'static str> {
    let gate = gate.0.clone();
    pool.run(move |_| gate.hold()).await?;
    Ok("done")
}

/// Takes an upload to the pool.
#[post("/upload")]
async fn upload(pool: CpuPool, body: bytes::Bytes) -> Result<String> {
    Ok(pool.run(move |_| body.len()).await?.to_string())
}

/// Answers at once.
#[get("/json")]
async fn json() -> Json<serde_json::Value> {
    Json(serde_json::json!({"message": "Hello, World!"}))
}

/// Panics on the pool.
#[get("/explode")]
async fn explode(pool: CpuPool) -> Result<&'static str> {
    pool.run(|_| panic!("the model file is corrupt")).await?;
    Ok("unreachable")
}

async fn serve(
    pool: CpuPool,
    gate: Gate,
) -> (
    std::net::SocketAddr,
    quiver::server::ShutdownHandle,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let app = App::new().state(pool).state(gate).routes(routes![work, json, explode, upload]);
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    let stop = server.shutdown_handle();
    (addr, stop, tokio::spawn(server.run()))
}

/// One HTTP/1.1 request on its own connection: (status, head, body).
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head.to_ascii_lowercase(), body.to_owned())
}

async fn queued(pool: &CpuPool, n: usize) {
    while pool.queued() < n {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_saturated_pool_leaves_other_routes_answering_and_refuses_the_overflow_at_once() {
    let pool = CpuPool::builder().name("work").threads(1).queue(2).build().unwrap();
    let gate = Gate::default();
    let (addr, _stop, _server) = serve(pool.clone(), gate.clone()).await;

    let running = tokio::spawn(get(addr, "/work"));
    gate.started(1).await;
    let waiting: Vec<_> = (0..2).map(|_| tokio::spawn(get(addr, "/work"))).collect();
    queued(&pool, 2).await;

    // The pool's thread is busy and its queue full; the one I/O thread is free.
    let (status, _, body) = get(addr, "/json").await;
    assert_eq!((status, body.as_str()), (200, r#"{"message":"Hello, World!"}"#));

    let (status, head, body) = get(addr, "/work").await;
    assert_eq!(status, 503, "{body}");
    assert!(head.contains("\r\nretry-after: "), "{head}");
    let detail: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(detail["detail"].as_str().unwrap().contains("the work pool is at capacity"), "{body}");

    // An upload to the full pool is refused on its headers: the server does not wait for a
    // body it would only answer 503 to (this client never sends it).
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = "POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut answer))
        .await
        .expect("answered without the body")
        .unwrap();
    assert_eq!(&answer, b"HTTP/1.1 503");

    gate.open();
    assert_eq!(running.await.unwrap().0, 200);
    for request in waiting {
        let (status, _, body) = request.await.unwrap();
        assert_eq!((status, body.as_str()), (200, "done"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn shutdown_answers_every_accepted_request_and_then_returns() {
    let pool = CpuPool::builder().name("work").threads(1).queue(4).build().unwrap();
    let gate = Gate::default();
    let (addr, stop, server) = serve(pool.clone(), gate.clone()).await;
    let running = tokio::spawn(get(addr, "/work"));
    gate.started(1).await;
    let waiting: Vec<_> = (0..3).map(|_| tokio::spawn(get(addr, "/work"))).collect();
    queued(&pool, 3).await;

    stop.shutdown(); // as SIGTERM: no new connections, in-flight requests finish
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer accepting");
    gate.open();
    assert_eq!(running.await.unwrap().0, 200);
    for request in waiting {
        let (status, _, body) = request.await.unwrap();
        assert_eq!((status, body.as_str()), (200, "done"), "queued work is done, not dropped");
    }
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server returns once the last request is answered")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn a_wait_budget_refuses_work_that_could_not_start_in_time() {
    let pool = CpuPool::builder()
        .name("budget")
        .threads(1)
        .queue(100)
        .max_wait(Duration::from_millis(50))
        .build()
        .unwrap();
    // Teach the pool how long a job takes: at least 200 ms.
    pool.run(|_| std::thread::sleep(Duration::from_millis(200))).await.unwrap();

    let gate = Gate::default();
    let busy = {
        let (pool, gate) = (pool.clone(), gate.clone());
        tokio::spawn(async move { pool.run(move |_| gate.hold()).await })
    };
    gate.started(1).await;
    // One job ahead of it, ~200 ms each: past the 50 ms budget, refused without queueing.
    let refused = pool.run(|_| ()).await.unwrap_err();
    assert_eq!(refused.reason(), Reason::WouldWaitTooLong);
    assert_eq!(refused.status(), 503);
    assert_eq!(pool.queued(), 0, "nothing was queued");
    gate.open();
    busy.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_panic_on_the_pool_is_a_500_and_the_thread_keeps_serving() {
    let pool = CpuPool::builder().threads(1).build().unwrap();
    let app = App::new().state(pool).state(Gate::default()).routes(routes![explode, json]);
    let client = TestClient::new(app);
    assert_eq!(client.get("/explode").await.status(), 500);
    assert_eq!(client.get("/explode").await.status(), 500, "the same thread, still alive");
}

/// A free thread takes work at once, even in the instant after the pool started or after its
/// previous job answered (when the thread is not yet back waiting on the queue): with no queue
/// at all, one caller at a time is never refused.
#[tokio::test]
async fn a_free_thread_takes_work_at_once_even_right_after_start_or_a_previous_job() {
    for round in 0..50 {
        let pool = CpuPool::builder().threads(1).queue(0).build().unwrap();
        for job in 0..20 {
            let answer = pool.run(move |_| job * 2).await;
            assert_eq!(answer, Ok(job * 2), "round {round}, job {job}");
        }
    }
}

#[test]
fn a_thread_state_that_cannot_be_made_stops_the_pool_from_starting() {
    let error = CpuPool::builder()
        .name("predict")
        .threads(2)
        .build_with(|index| if index == 1 { Err("no model file") } else { Ok(()) })
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the predict pool's thread state could not be made: no model file"
    );
}

/// Holds the request until the gate opens, on a blocking thread (an async route's work).
async fn slow(gate: State<Gate>) -> &'static str {
    let gate = gate.0.clone();
    tokio::task::spawn_blocking(move || gate.hold()).await.unwrap();
    "slow"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_routes_concurrency_limit_sheds_what_is_beyond_running_and_waiting() {
    let gate = Gate::default();
    let route = quiver::Route::new(http::Method::GET, "/slow", slow).concurrency_limit(1, 1);
    let app = App::new().state(gate.clone()).route(route).routes(routes![json]);
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());

    let first = tokio::spawn(get(addr, "/slow"));
    gate.started(1).await;
    let second = tokio::spawn(get(addr, "/slow")); // waits for the first
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, head, _) = get(addr, "/slow").await;
    assert_eq!(status, 503);
    assert!(head.contains("\r\nretry-after: 1"), "{head}");
    assert_eq!(get(addr, "/json").await.0, 200, "other routes are not limited");
    gate.open();
    assert_eq!(first.await.unwrap().0, 200);
    assert_eq!(second.await.unwrap().0, 200);
}

/// Blocks its I/O thread: the mistake the warning is for.
#[get("/blocks")]
async fn blocks() -> &'static str {
    std::thread::sleep(Duration::from_millis(60));
    "slept"
}

#[tokio::test]
async fn a_handler_that_blocks_its_io_thread_is_named_in_a_warning() {
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Log {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let log = Log::default();
    let writer = log.clone();
    let subscriber =
        tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app =
        App::new().blocking_warning(Some(Duration::from_millis(20))).routes(routes![blocks, json]);
    let client = TestClient::new(app);
    assert_eq!(client.get("/json").await.status(), 200);
    let quiet = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(!quiet.contains("WARN"), "fast handlers are quiet: {quiet}");
    assert_eq!(client.get("/blocks").await.text(), "slept");
    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("WARN") && text.contains("route=GET /blocks"), "{text}");
    assert!(text.contains("CpuPool"), "says what to do: {text}");
}

/// The nice value of the calling thread, from `/proc/thread-self/stat` (field 19).
#[cfg(target_os = "linux")]
fn thread_niceness() -> i32 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let (_, fields) = stat.rsplit_once(')').unwrap();
    fields.split_whitespace().nth(16).unwrap().parse().unwrap()
}

/// A pool built with `io_niceness` makes the I/O threads of a Quiver-built runtime yield the
/// core to it; the pool's own threads keep their priority.
#[cfg(target_os = "linux")]
#[test]
fn io_niceness_lowers_the_io_threads_priority_once_the_pool_exists() {
    let runtime = quiver::server::runtime_builder().worker_threads(1).build().unwrap();
    runtime.block_on(async {
        let on_io_thread = || async {
            tokio::spawn(async {
                tokio::time::sleep(Duration::from_millis(2)).await; // parks and wakes the thread
                thread_niceness()
            })
            .await
            .unwrap()
        };
        let before = on_io_thread().await;
        let pool = CpuPool::builder().threads(1).io_niceness(4).build().unwrap();
        assert_eq!(on_io_thread().await, (before + 4).min(19), "the I/O thread yields");
        assert_eq!(pool.run(|_| thread_niceness()).await.unwrap(), before, "the pool does not");
    });
}

/// What the `cpu` routes below send and answer.
#[derive(Deserialize, JsonSchema, Validate)]
struct Digest {
    text: String,
    rounds: u32,
}

/// A plain `fn` marked `cpu`: runs on a pool thread, and says which.
#[post("/digest", cpu)]
fn digest(Json(body): Json<Digest>) -> Json<serde_json::Value> {
    let mut hash = 0u64;
    for _ in 0..body.rounds {
        for byte in body.text.bytes() {
            hash = hash.wrapping_mul(31).wrapping_add(u64::from(byte));
        }
    }
    let thread = std::thread::current().name().unwrap_or_default().to_owned();
    Json(serde_json::json!({"hash": hash, "thread": thread}))
}

/// A `cpu` route that holds its pool thread until the gate opens.
#[get("/hold", cpu)]
fn hold(gate: State<Gate>) -> &'static str {
    gate.hold();
    "held"
}

#[tokio::test]
async fn a_cpu_route_runs_on_the_apps_default_pool_without_any_setup() {
    // No pool registered: the app makes its default one.
    let app = App::new().routes(routes![digest]);
    let client = quiver::testing::TestClient::new(app);
    let response =
        client.post("/digest").json(&serde_json::json!({"text": "ab", "rounds": 2})).send().await;
    assert_eq!(response.status(), 200, "{}", response.text());
    let body: serde_json::Value = response.json();
    // ((0*31+97)*31+98)*31+97)*31+98 over "abab"
    assert_eq!(body["hash"], 2_987_010);
    let thread = body["thread"].as_str().unwrap();
    assert!(thread.starts_with("cpu-"), "ran on {thread:?}, not a pool thread");

    // Its arguments are validated like any handler's, before the pool is involved.
    let response = client.post("/digest").json(&serde_json::json!({"text": "ab"})).send().await;
    assert_eq!(response.status(), 422);
    assert!(response.text().contains("rounds"), "{}", response.text());

    // The OpenAPI document shows the body, the answer and the pool's 503.
    let doc = App::new().routes(routes![digest]).openapi();
    let operation = &doc["paths"]["/digest"]["post"];
    assert!(operation["requestBody"].is_object(), "{operation}");
    assert!(operation["responses"]["200"].is_object(), "{operation}");
    assert!(operation["responses"]["503"].is_object(), "{operation}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn a_cpu_route_uses_the_apps_own_pool_and_is_refused_when_it_is_full() {
    let pool = CpuPool::builder().name("mine").threads(1).queue(0).build().unwrap();
    let gate = Gate::default();
    let app = App::new().state(pool).state(gate.clone()).routes(routes![hold, digest, json]);
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    tokio::spawn(server.run());

    let running = tokio::spawn(get(addr, "/hold"));
    gate.started(1).await;
    // The app's one pool thread is held: the next `cpu` request is refused at once, and a
    // plain route still answers.
    let (status, head, body) = get(addr, "/hold").await;
    assert_eq!(status, 503, "{body}");
    assert!(head.contains("\r\nretry-after: "), "{head}");
    assert!(body.contains("the mine pool is at capacity"), "{body}");
    assert_eq!(get(addr, "/json").await.0, 200);

    gate.open();
    let (status, _, body) = running.await.unwrap();
    assert_eq!((status, body.as_str()), (200, "held"));
}
