use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quiver::deps::http::request::Parts;
use quiver::extract::{FromRequestParts, defer};
use quiver::prelude::*;

#[derive(Clone, Default)]
struct Counters {
    sessions: Arc<AtomicUsize>,
    cleanups: Arc<AtomicUsize>,
}

/// A per-request "database session": counts how often it is built and closed.
#[derive(Clone)]
struct Session {
    id: usize,
}

impl Dependency for Session {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let State(counters) = State::<Counters>::from_request_parts(parts, app).await?;
        let id = counters.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        let cleanups = counters.cleanups.clone();
        let _ = defer(async move {
            cleanups.fetch_add(1, Ordering::SeqCst);
        });
        Ok(Session { id })
    }
}

/// Needs a session (a sub-dependency) and a header.
#[derive(Clone)]
struct CurrentUser {
    name: String,
    session: usize,
}

impl Dependency for CurrentUser {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let Dep(session) = Dep::<Session>::from_request_parts(parts, app).await?;
        match parts.headers.get("x-user").and_then(|v| v.to_str().ok()) {
            Some(name) => Ok(CurrentUser { name: name.to_owned(), session: session.id }),
            None => Err(HttpError::unauthorized("Not authenticated")
                .with_header("www-authenticate", "Bearer")
                .into()),
        }
    }
}

#[get("/me")]
async fn me(Dep(user): Dep<CurrentUser>, Dep(session): Dep<Session>) -> String {
    format!("{} session {} (user saw {})", user.name, session.id, user.session)
}

#[get("/limit")]
async fn limited(Dep(user): Dep<CurrentUser>, #[query] limit: u32) -> String {
    format!("{} {limit}", user.name)
}

fn app(counters: &Counters) -> App {
    App::new().state(counters.clone()).routes(routes![me, limited])
}

#[tokio::test]
async fn a_dependency_asked_for_twice_runs_once_per_request() {
    let counters = Counters::default();
    let c = TestClient::new(app(&counters));
    let r = c.get("/me").header("x-user", "ada").await;
    assert_eq!(r.text(), "ada session 1 (user saw 1)");
    assert_eq!(counters.sessions.load(Ordering::SeqCst), 1);
    let r = c.get("/me").header("x-user", "ada").await;
    assert_eq!(r.text(), "ada session 2 (user saw 2)");
}

#[tokio::test]
async fn cleanups_run_after_the_response() {
    let counters = Counters::default();
    let c = TestClient::new(app(&counters));
    c.get("/me").header("x-user", "ada").await;
    for _ in 0..50 {
        if counters.cleanups.load(Ordering::SeqCst) == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the cleanup registered by the dependency never ran");
}

#[tokio::test]
async fn a_failing_dependency_answers_at_once_with_its_status_and_headers() {
    let counters = Counters::default();
    let r = TestClient::new(app(&counters)).get("/limit?limit=abc").await;
    assert_eq!(r.status(), 401);
    assert_eq!(r.header("www-authenticate"), Some("Bearer"));
    assert_eq!(r.json::<serde_json::Value>()["detail"], "Not authenticated");
}

#[tokio::test]
async fn overrides_replace_a_dependency_everywhere() {
    let counters = Counters::default();
    let app = app(&counters).override_dependency(|_parts| async {
        Ok(CurrentUser { name: "test-user".into(), session: 0 })
    });
    let c = TestClient::new(app);
    assert_eq!(c.get("/limit?limit=3").await.text(), "test-user 3");
    let r = c.get("/me").await;
    assert_eq!(r.text(), "test-user session 1 (user saw 0)");
}

#[derive(Clone)]
struct ApiKey;

impl Dependency for ApiKey {
    async fn provide(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        match parts.headers.get("x-api-key") {
            Some(k) if k == "secret" => Ok(ApiKey),
            _ => Err(HttpError::forbidden("Invalid API key").into()),
        }
    }
}

#[tokio::test]
async fn router_dependencies_guard_every_route_of_the_router() {
    async fn stats() -> &'static str {
        "stats"
    }
    async fn open() -> &'static str {
        "open"
    }
    let admin = Router::new().prefix("/admin").dependency::<ApiKey>().get("/stats", stats);
    let c = TestClient::new(App::new().include(admin).get("/open", open));
    assert_eq!(c.get("/admin/stats").await.status(), 403);
    assert_eq!(c.get("/admin/stats").header("x-api-key", "secret").await.text(), "stats");
    assert_eq!(c.get("/open").await.text(), "open");
}
