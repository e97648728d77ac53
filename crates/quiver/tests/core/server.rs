use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use quiver::Server;
use quiver::prelude::*;

#[get("/slow")]
async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_millis(300)).await;
    "finished"
}

#[get("/fast")]
async fn fast() -> &'static str {
    "fast"
}

async fn start()
-> (String, quiver::server::ShutdownHandle, tokio::task::JoinHandle<std::io::Result<()>>) {
    let app = App::new().routes(routes![slow, fast]).shutdown_grace(Duration::from_secs(5));
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let handle = server.shutdown_handle();
    (base, handle, tokio::spawn(server.run()))
}

#[tokio::test]
async fn http1_keeps_connections_alive_and_http2_works_without_tls() {
    let (base, stop, task) = start().await;
    let http1: Client<_, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).pool_max_idle_per_host(1).build_http();
    for _ in 0..3 {
        let r = http1.get(format!("{base}/fast").parse().unwrap()).await.unwrap();
        assert_eq!(r.version(), http::Version::HTTP_11);
        assert_eq!(r.into_body().collect().await.unwrap().to_bytes(), "fast");
    }
    let http2: Client<_, Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).http2_only(true).build_http();
    let r = http2.get(format!("{base}/fast").parse().unwrap()).await.unwrap();
    assert_eq!(r.version(), http::Version::HTTP_2);
    // The security layer may leave Content-Length to the server; HTTP/2 writes it too.
    assert_eq!(r.headers().get("content-length").unwrap(), "4");
    assert_eq!(r.headers().get("x-frame-options").unwrap(), "DENY");
    stop.shutdown();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    let (base, stop, task) = start().await;
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/slow");
        async move {
            let r = client.get(url.parse().unwrap()).await.unwrap();
            r.into_body().collect().await.unwrap().to_bytes()
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.shutdown();
    assert_eq!(in_flight.await.unwrap(), "finished");
    task.await.unwrap().unwrap();
    let fresh: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    assert!(
        fresh.get(format!("{base}/fast").parse().unwrap()).await.is_err(),
        "the listener is closed"
    );
}

#[get("/stuck")]
async fn stuck() -> &'static str {
    tokio::time::sleep(Duration::from_secs(60)).await;
    "never"
}

#[tokio::test]
async fn after_the_grace_period_shutdown_stops_waiting_for_stuck_requests() {
    let app = App::new().routes(routes![stuck]).shutdown_grace(Duration::from_millis(200));
    let server = Server::bind(app, "127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/stuck", server.local_addr());
    let stop = server.shutdown_handle();
    let task = tokio::spawn(server.run());
    let client: Client<_, Empty<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = tokio::spawn(async move { client.get(url.parse().unwrap()).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.shutdown();
    // The stuck handler would take a minute; the server gives up after its grace period.
    let finished = tokio::time::timeout(Duration::from_secs(10), task).await;
    assert!(finished.is_ok(), "run() returned once the grace period was over");
    request.abort();
}

/// The head of a raw HTTP/1.1 exchange, lower-cased, and the bytes after it.
async fn exchange(base: &str, request: &str) -> (Vec<String>, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket =
        tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    socket.read_to_end(&mut received).await.unwrap();
    let end = received.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8(received[..end].to_vec()).unwrap();
    (head.lines().map(str::to_ascii_lowercase).collect(), received[end + 4..].to_vec())
}

#[tokio::test]
async fn on_the_wire_every_response_has_one_content_length_with_the_default_headers() {
    let (base, stop, task) = start().await;
    let (head, body) =
        exchange(&base, "GET /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await;
    assert_eq!(head[0], "http/1.1 200 ok");
    let lengths: Vec<_> = head.iter().filter(|line| line.starts_with("content-length:")).collect();
    assert_eq!(lengths, ["content-length: 4"], "{head:?}");
    assert_eq!(body, b"fast");
    for header in ["x-frame-options: deny", "x-content-type-options: nosniff"] {
        assert!(head.iter().any(|line| line == header), "{header} missing: {head:?}");
    }
    assert!(head.iter().any(|line| line.starts_with("x-request-id: ")), "{head:?}");

    // HEAD answers the GET's length with no body.
    let (head, body) =
        exchange(&base, "HEAD /fast HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await;
    let lengths: Vec<_> = head.iter().filter(|line| line.starts_with("content-length:")).collect();
    assert_eq!(lengths, ["content-length: 4"], "{head:?}");
    assert!(body.is_empty());
    stop.shutdown();
    task.await.unwrap().unwrap();
}
