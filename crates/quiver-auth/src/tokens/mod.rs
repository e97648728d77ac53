//! Token auth for APIs: JWT access tokens, rotating refresh tokens (a reused one revokes its
//! whole family), and hashed API keys for service clients.

mod api_key;
mod jwt;

use chrono::Utc;
use quiver_core::{Error, HttpError};
use quiver_orm::{ForeignKey, Model};
use schemars::JsonSchema;
use serde::Serialize;
use uuid::Uuid;

pub use jwt::{Claims, Jwt, TokenError};

use crate::config::Auth;
use crate::models::{RefreshToken, User};

/// What the token endpoint answers (OAuth2's token response).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TokenPair {
    /// The access token (a JWT), sent as `Authorization: Bearer <token>`.
    pub access_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Trades for a new pair at the token endpoint (`grant_type=refresh_token`), once.
    pub refresh_token: String,
}

pub(crate) fn invalid_grant(detail: &str) -> Error {
    HttpError::unauthorized(detail.to_owned())
        .with_header("www-authenticate", r#"Bearer error="invalid_grant""#)
        .into()
}

impl Auth {
    /// A new access and refresh token pair for `user` (a new refresh family: one login).
    pub async fn issue_tokens(&self, user: &User) -> Result<TokenPair, Error> {
        self.issue_in_family(user.pk(), Uuid::new_v4()).await
    }

    async fn issue_in_family(&self, user_id: i64, family: Uuid) -> Result<TokenPair, Error> {
        let now = Utc::now();
        let expires = now + chrono::Duration::seconds(self.jwt.refresh_ttl.as_secs() as i64);
        let mut record = RefreshToken {
            id: Uuid::new_v4(),
            user: ForeignKey::new(user_id),
            family,
            created_at: now,
            expires_at: expires,
            revoked_at: None,
        };
        record.insert(&self.db).await.map_err(Error::internal)?;
        let refresh = self.jwt.encode(&Claims {
            sub: user_id.to_string(),
            exp: expires.timestamp(),
            iat: now.timestamp(),
            typ: Some("refresh".into()),
            jti: Some(record.id.to_string()),
        });
        Ok(TokenPair {
            access_token: self.jwt.access_token(&user_id.to_string()),
            token_type: "bearer",
            expires_in: self.jwt.access_ttl.as_secs(),
            refresh_token: refresh,
        })
    }

    /// Trades a refresh token for a new pair. Each refresh token works once: presenting one
    /// already used revokes every token of that login (someone else has a copy).
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, Error> {
        let claims: Claims = self
            .jwt
            .decode(refresh_token)
            .map_err(|e| invalid_grant(&format!("Invalid refresh token: {e}")))?;
        let jti = claims
            .jti
            .as_deref()
            .filter(|_| claims.typ.as_deref() == Some("refresh"))
            .and_then(|j| Uuid::parse_str(j).ok())
            .ok_or_else(|| invalid_grant("Invalid refresh token: not a refresh token"))?;
        let record = RefreshToken::objects()
            .filter(RefreshToken::ID.eq(jti))
            .first(&self.db)
            .await
            .map_err(Error::internal)?
            .ok_or_else(|| invalid_grant("Invalid refresh token: unknown token"))?;
        if record.revoked_at.is_some() {
            self.revoke_family(record.family).await?;
            tracing::warn!(family = %record.family, "a used refresh token came back: its family is revoked");
            return Err(invalid_grant(
                "Refresh token already used: every token of this login is revoked, log in again",
            ));
        }
        let user = User::objects()
            .filter(User::ID.eq(*record.user.id()))
            .first(&self.db)
            .await
            .map_err(Error::internal)?
            .filter(|u| u.is_active)
            .ok_or_else(|| invalid_grant("Invalid refresh token: the user is inactive"))?;
        // Mark used only if nobody else did in the meantime (two refreshes racing).
        let marked = RefreshToken::objects()
            .filter(RefreshToken::ID.eq(jti))
            .filter(RefreshToken::REVOKED_AT.is_null(true))
            .update()
            .set(RefreshToken::REVOKED_AT, Some(Utc::now()))
            .execute(&self.db)
            .await
            .map_err(Error::internal)?;
        if marked == 0 {
            self.revoke_family(record.family).await?;
            return Err(invalid_grant("Refresh token already used"));
        }
        self.issue_in_family(user.pk(), record.family).await
    }

    /// Revokes the login `refresh_token` belongs to (every refresh token rotated from it).
    /// Unknown or invalid tokens are ignored, as RFC 7009 asks.
    pub async fn revoke(&self, refresh_token: &str) -> Result<(), Error> {
        let Ok(claims) = self.jwt.decode::<Claims>(refresh_token) else {
            return Ok(());
        };
        let Some(jti) = claims.jti.as_deref().and_then(|j| Uuid::parse_str(j).ok()) else {
            return Ok(());
        };
        let record = RefreshToken::objects()
            .filter(RefreshToken::ID.eq(jti))
            .first(&self.db)
            .await
            .map_err(Error::internal)?;
        if let Some(record) = record {
            self.revoke_family(record.family).await?;
        }
        Ok(())
    }

    async fn revoke_family(&self, family: Uuid) -> Result<(), Error> {
        RefreshToken::objects()
            .filter(RefreshToken::FAMILY.eq(family))
            .filter(RefreshToken::REVOKED_AT.is_null(true))
            .update()
            .set(RefreshToken::REVOKED_AT, Some(Utc::now()))
            .execute(&self.db)
            .await
            .map(drop)
            .map_err(Error::internal)
    }
}
