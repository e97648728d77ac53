//! API keys for service clients: `qk_<prefix>_<secret>`, shown once, stored as a SHA-256 hash.

use chrono::{DateTime, Utc};
use quiver_core::Error;
use quiver_core::security::random_token;
use quiver_orm::{Auto, ForeignKey, Model};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Auth;
use crate::models::{ApiKey, User};

fn digest(key: &str) -> String {
    crate::hex(&Sha256::digest(key.as_bytes()))
}

impl Auth {
    /// Makes an API key acting as `user`; returns the record and the key itself, which is not
    /// stored and cannot be shown again.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_auth::{Auth, User};
    /// use quiver_orm::Model;
    ///
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await.unwrap();
    /// quiver_orm::schema::create_tables(&db, &quiver_auth::models()).await.unwrap();
    /// let auth = Auth::new(&db, [1u8; 32]);
    /// let mut bot = User::new("bot", "");
    /// bot.insert(&db).await.unwrap();
    /// let (record, key) = auth.create_api_key(&bot, "ci", None).await.unwrap();
    /// assert!(key.starts_with(&format!("qk_{}_", record.prefix)));
    /// assert_eq!(auth.api_key_user(&key).await.unwrap().unwrap().username, "bot");
    /// assert!(auth.api_key_user("qk_nope_nope").await.unwrap().is_none());
    /// # });
    /// ```
    pub async fn create_api_key(
        &self,
        user: &User,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(ApiKey, String), Error> {
        let prefix = random_token(8);
        let key = format!("qk_{prefix}_{}", random_token(40));
        let mut record = ApiKey {
            id: Auto::new(),
            user: ForeignKey::new(user.pk()),
            name: name.to_owned(),
            prefix,
            hashed_key: digest(&key),
            created_at: Utc::now(),
            expires_at,
            revoked: false,
        };
        record.insert(&self.db).await.map_err(Error::internal)?;
        Ok((record, key))
    }

    /// The active user an API key acts as, if the key is known, not revoked and not expired.
    pub async fn api_key_user(&self, key: &str) -> Result<Option<User>, Error> {
        let Some(prefix) = key.strip_prefix("qk_").and_then(|rest| rest.split('_').next()) else {
            return Ok(None);
        };
        let Some(record) = ApiKey::objects()
            .filter(ApiKey::PREFIX.eq(prefix))
            .first(&self.db)
            .await
            .map_err(Error::internal)?
        else {
            return Ok(None);
        };
        let matches: bool = digest(key).as_bytes().ct_eq(record.hashed_key.as_bytes()).into();
        let live = !record.revoked && record.expires_at.is_none_or(|end| end > Utc::now());
        if !matches || !live {
            return Ok(None);
        }
        let user = User::objects()
            .filter(User::ID.eq(*record.user.id()))
            .first(&self.db)
            .await
            .map_err(Error::internal)?;
        Ok(user.filter(|u| u.is_active))
    }

    /// Revokes an API key by its prefix.
    pub async fn revoke_api_key(&self, prefix: &str) -> Result<bool, Error> {
        let changed = ApiKey::objects()
            .filter(ApiKey::PREFIX.eq(prefix))
            .update()
            .set(ApiKey::REVOKED, true)
            .execute(&self.db)
            .await
            .map_err(Error::internal)?;
        Ok(changed > 0)
    }
}
