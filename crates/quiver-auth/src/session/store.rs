//! Where session data lives: the database (the default), Redis, or the cookie itself (signed).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use quiver_orm::{Db, Model};
use redis::AsyncCommands;
use serde_json::{Map, Value};
use sha2::Sha256;

use crate::models::SessionRecord;

/// Session data: a JSON object.
pub type SessionData = Map<String, Value>;

/// A server-side session store. Implement it to keep sessions elsewhere.
pub trait SessionStore: Send + Sync + 'static {
    /// The data of session `key`, if it exists and has not expired.
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionData>, String>>;
    /// Writes session `key`, to expire at `expires`.
    fn save<'a>(
        &'a self,
        key: &'a str,
        data: &'a SessionData,
        expires: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), String>>;
    /// Deletes session `key`.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), String>>;
    /// Deletes expired sessions; how many went (the `clearsessions` command).
    fn clear_expired(&self) -> BoxFuture<'_, Result<u64, String>> {
        Box::pin(async { Ok(0) })
    }
}

/// Where sessions are kept.
///
/// ```
/// # async fn demo(db: quiver_orm::Db) -> Result<(), Box<dyn std::error::Error>> {
/// use quiver_auth::session::SessionBackend;
///
/// let in_db = SessionBackend::database(&db);
/// let shared = SessionBackend::redis("redis://127.0.0.1:6379").await?;
/// let stateless = SessionBackend::SignedCookie;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub enum SessionBackend {
    /// A server-side store: the cookie holds a random key.
    Store(Arc<dyn SessionStore>),
    /// The data itself, signed with the secret key, in the cookie (4 KB at most; cannot be
    /// revoked before it expires: logging out forgets it in this browser only).
    SignedCookie,
}

impl std::fmt::Debug for SessionBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Store(_) => f.write_str("SessionBackend::Store"),
            Self::SignedCookie => f.write_str("SessionBackend::SignedCookie"),
        }
    }
}

impl SessionBackend {
    /// The `auth_session` table (the default).
    pub fn database(db: &Db) -> Self {
        Self::Store(Arc::new(DbStore { db: db.clone() }))
    }

    /// Redis at `url`: several app instances share sessions.
    pub async fn redis(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let connection = redis::aio::ConnectionManager::new(client).await?;
        Ok(Self::Store(Arc::new(RedisStore { connection, prefix: "quiver:session:".into() })))
    }
}

struct DbStore {
    db: Db,
}

impl SessionStore for DbStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionData>, String>> {
        Box::pin(async move {
            let found = SessionRecord::objects()
                .filter(SessionRecord::KEY.eq(key))
                .filter(SessionRecord::EXPIRE_DATE.gt(Utc::now()))
                .first(&self.db)
                .await
                .map_err(|e| e.to_string())?;
            Ok(found.and_then(|record| match record.data {
                Value::Object(map) => Some(map),
                _ => None,
            }))
        })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        data: &'a SessionData,
        expires: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mut record = SessionRecord {
                key: key.to_owned(),
                data: Value::Object(data.clone()),
                expire_date: expires,
            };
            record.save(&self.db).await.map_err(|e| e.to_string())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            SessionRecord::objects()
                .filter(SessionRecord::KEY.eq(key))
                .delete(&self.db)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        })
    }

    fn clear_expired(&self) -> BoxFuture<'_, Result<u64, String>> {
        Box::pin(async move {
            SessionRecord::objects()
                .filter(SessionRecord::EXPIRE_DATE.lte(Utc::now()))
                .delete(&self.db)
                .await
                .map_err(|e| e.to_string())
        })
    }
}

struct RedisStore {
    connection: redis::aio::ConnectionManager,
    prefix: String,
}

impl SessionStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<SessionData>, String>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let text: Option<String> =
                connection.get(format!("{}{key}", self.prefix)).await.map_err(|e| e.to_string())?;
            Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
        })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        data: &'a SessionData,
        expires: DateTime<Utc>,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            let seconds = (expires - Utc::now()).num_seconds().max(1) as u64;
            let text = serde_json::to_string(data).map_err(|e| e.to_string())?;
            connection
                .set_ex::<_, _, ()>(format!("{}{key}", self.prefix), text, seconds)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let mut connection = self.connection.clone();
            connection
                .del::<_, ()>(format!("{}{key}", self.prefix))
                .await
                .map_err(|e| e.to_string())
        })
    }
}

/// Signs and reads cookie-held sessions: `base64(json).base64(hmac)`, the JSON carrying its
/// expiry.
pub(crate) fn sign_cookie(secret: &[u8], data: &SessionData, expires: DateTime<Utc>) -> String {
    let payload = serde_json::json!({ "d": data, "e": expires.timestamp() });
    let body = URL_SAFE_NO_PAD.encode(payload.to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"quiver.session.");
    mac.update(body.as_bytes());
    format!("{body}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// The data of a cookie made by [`sign_cookie`], if the signature holds and it has not expired.
pub(crate) fn read_cookie(secret: &[u8], value: &str) -> Option<SessionData> {
    let (body, signature) = value.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(b"quiver.session.");
    mac.update(body.as_bytes());
    mac.verify_slice(&signature).ok()?;
    let payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    if payload.get("e")?.as_i64()? <= Utc::now().timestamp() {
        return None;
    }
    match payload.get("d")? {
        Value::Object(map) => Some(map.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_cookie_reads_back_and_any_change_or_expiry_voids_it() {
        let mut data = SessionData::new();
        data.insert("user".into(), Value::from(7));
        let later = Utc::now() + chrono::Duration::hours(1);
        let cookie = sign_cookie(b"k1", &data, later);
        assert_eq!(read_cookie(b"k1", &cookie), Some(data.clone()));
        assert_eq!(read_cookie(b"k2", &cookie), None);
        let forged = sign_cookie(b"k1", &data, later).replace('.', "x.");
        assert_eq!(read_cookie(b"k1", &forged), None);
        let expired = sign_cookie(b"k1", &data, Utc::now() - chrono::Duration::seconds(1));
        assert_eq!(read_cookie(b"k1", &expired), None);
    }
}
