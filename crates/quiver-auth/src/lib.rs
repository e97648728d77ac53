//! Quiver's auth battery, Django's `contrib.auth` and `contrib.sessions` with FastAPI's token
//! flows, built only on Quiver's public APIs: users, groups and permissions (models and
//! migrations), Argon2id password hashing that also verifies Django's hashes, sessions in the
//! database, Redis or a signed cookie, JWT access and rotating refresh tokens, hashed API keys,
//! login throttling and rate limits.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use quiver_auth::{Auth, AuthAppExt, CurrentUser, password::PasswordHasher};
//! use quiver_core::{App, extract::Json, testing::TestClient};
//! use quiver_orm::Db;
//!
//! async fn hello(user: CurrentUser) -> Json<String> {
//!     Json(format!("hello {}", user.username))
//! }
//!
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! quiver_orm::schema::create_tables(&db, &quiver_auth::models()).await.unwrap();
//! let auth = Auth::new(&db, [42u8; 32]).hasher(PasswordHasher::argon2id(8 * 1024, 1, 1));
//! auth.create_user("ada", "ada@example.com", "analytical-engine-1843").await.unwrap();
//!
//! let client = TestClient::new(App::new().state(db).auth(auth).get("/hello", hello));
//! assert_eq!(client.get("/hello").await.status(), 401);
//! let token = client
//!     .post("/auth/token")
//!     .form(&[("username", "ada"), ("password", "analytical-engine-1843")])
//!     .await
//!     .json::<serde_json::Value>()["access_token"]
//!     .as_str()
//!     .unwrap()
//!     .to_owned();
//! let hello = client.get("/hello").bearer(&token).await;
//! assert_eq!(hello.json::<String>(), "hello ada");
//! # });
//! ```

extern crate self as quiver_auth;

mod config;
mod extract;
mod limits;
mod login;
pub mod models;
pub mod password;
pub mod permissions;
mod ratelimit;
pub mod session;
mod throttle;
pub mod tokens;
mod views;

pub use config::{AUTH_PREFIX, Auth, AuthAppExt, ObjectRule, TOKEN_URL};
pub use extract::{
    AuthMethod, Check, CurrentUser, IsStaff, IsSuperuser, OptionalUser, Perm, Require, TokenClaims,
};
pub use limits::LimitStore;
pub use login::LoginError;
pub use models::{ApiKey, Group, Permission, RefreshToken, SessionRecord, User, models};
pub use quiver_macros::perm;
pub use ratelimit::{KeyBy, RateLimit, RateLimitPolicy};
pub use throttle::LoginThrottle;
pub use views::{CsrfResponse, LoginRequest, RevokeRequest, TokenRequest};

/// Lowercase hex of `bytes` (digests stored or compared as text).
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The auth app's migrations, built into the binary: `(name, TOML)` in order.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_initial", include_str!("../migrations/0001_initial.toml"))];
