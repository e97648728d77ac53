use std::time::Duration;

use quiver::auth::{KeyBy, LimitStore, RateLimit, RateLimitPolicy};

use super::*;

/// The Redis URL, or `None` with the reason printed.
pub fn redis_url() -> Option<String> {
    let url = std::env::var("QUIVER_TEST_REDIS_URL").ok();
    if url.is_none() {
        eprintln!("skipped: set QUIVER_TEST_REDIS_URL to test against Redis");
    }
    url
}

struct Search;
impl RateLimitPolicy for Search {
    const NAME: &'static str = "search";
    const LIMIT: u64 = 3;
    const WINDOW: Duration = Duration::from_secs(60);
}

struct PerUser;
impl RateLimitPolicy for PerUser {
    const NAME: &'static str = "per-user";
    const LIMIT: u64 = 2;
    const WINDOW: Duration = Duration::from_secs(60);
    const KEY: KeyBy = KeyBy::User;
}

/// Limited per address.
#[get("/search")]
async fn search(_: RateLimit<Search>) -> &'static str {
    "results"
}

/// Limited per user.
#[get("/mine")]
async fn mine(_: RateLimit<PerUser>) -> &'static str {
    "mine"
}

fn limited(db: &Db, auth: Auth) -> TestClient {
    TestClient::new(
        App::new().state(db.clone()).auth(auth).behind_proxy().routes(routes![search, mine]),
    )
}

#[tokio::test]
async fn past_the_limit_429_with_retry_after_per_address() {
    let db = database().await;
    let client = limited(&db, auth(&db));
    for _ in 0..3 {
        assert_eq!(
            client.get("/search").header("x-forwarded-for", "203.0.113.9").await.status(),
            200
        );
    }
    let refused = client.get("/search").header("x-forwarded-for", "203.0.113.9").await;
    assert_eq!(refused.status(), 429);
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert!(refused.text().contains("the limit is 3 per 60 s"), "{}", refused.text());
    // Another address has its own count.
    assert_eq!(client.get("/search").header("x-forwarded-for", "203.0.113.10").await.status(), 200);
}

#[tokio::test]
async fn per_user_limits_follow_the_user_not_the_address() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    let client = limited(&db, auth);
    let access = token(&client, "ada", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    for ip in ["198.51.100.1", "198.51.100.2"] {
        assert_eq!(
            client.get("/mine").bearer(&access).header("x-forwarded-for", ip).await.status(),
            200
        );
    }
    let refused =
        client.get("/mine").bearer(&access).header("x-forwarded-for", "198.51.100.3").await;
    assert_eq!(refused.status(), 429);
    assert_eq!(
        client.get("/mine").header("x-forwarded-for", "198.51.100.3").await.status(),
        200,
        "anonymous counts by address"
    );
}

#[tokio::test]
async fn two_instances_on_one_redis_share_a_limit() {
    let Some(url) = redis_url() else { return };
    let db = database().await;
    let store = LimitStore::redis(&url).await.unwrap();
    // A fresh address per run: the counters outlive the test in Redis.
    let ip = format!("10.{}.{}.{}", rand_byte(), rand_byte(), rand_byte());
    let one = limited(&db, auth(&db).limits(store.clone()));
    let two = limited(&db, auth(&db).limits(LimitStore::redis(&url).await.unwrap()));
    assert_eq!(one.get("/search").header("x-forwarded-for", &ip).await.status(), 200);
    assert_eq!(two.get("/search").header("x-forwarded-for", &ip).await.status(), 200);
    assert_eq!(one.get("/search").header("x-forwarded-for", &ip).await.status(), 200);
    let refused = two.get("/search").header("x-forwarded-for", &ip).await;
    assert_eq!(refused.status(), 429, "the second instance saw the first one's requests");
    assert!(refused.header("retry-after").is_some());
    // And the windows expire in Redis too.
    store.reset(&format!("rate:search:ip:{ip}")).await.unwrap();
    assert_eq!(one.get("/search").header("x-forwarded-for", &ip).await.status(), 200);
}

#[tokio::test]
async fn login_lockout_is_shared_through_redis() {
    let Some(url) = redis_url() else { return };
    let db = database().await;
    let store = LimitStore::redis(&url).await.unwrap();
    let name = format!("user{}", uuid::Uuid::new_v4().simple());
    let first = auth(&db).limits(store.clone());
    first.create_user(&name, "", PASSWORD).await.unwrap();
    let one = client(&db, first);
    let two = client(&db, auth(&db).limits(store));
    for n in 0..5 {
        let client = if n % 2 == 0 { &one } else { &two };
        assert_eq!(login(client, &name, "wrong").await, 401);
    }
    assert_eq!(login(&one, &name, PASSWORD).await, 429);
    assert_eq!(login(&two, &name, PASSWORD).await, 429);
}

fn rand_byte() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

/// The caller's address.
#[get("/ip")]
async fn ip(ClientIp(ip): ClientIp) -> String {
    ip.to_string()
}

#[tokio::test]
async fn over_a_real_socket_the_client_address_is_the_peer() {
    use quiver::deps::tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = quiver::Server::bind(App::new().routes(routes![ip]), "127.0.0.1:0").await.unwrap();
    let addr = server.local_addr();
    let stop = server.shutdown_handle();
    let running = tokio::spawn(server.run());
    // From another loopback address, so the answer cannot be a default.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut stream = socket.connect(addr).await.unwrap();
    // A forwarded-for header is not believed: the app is not behind a proxy.
    let request = "GET /ip HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.7\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("\r\n\r\n127.0.0.2"), "{response}");
    stop.shutdown();
    running.await.unwrap().unwrap();
}
