//! JSON Web Tokens: short-lived access tokens and rotating refresh tokens, signed with HS256
//! (a shared secret) or EdDSA (Ed25519 key pair: services that only verify hold the public key).

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The claims of the tokens Quiver issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Claims {
    /// The user's key, as text (RFC 7519).
    pub sub: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    #[serde(default)]
    pub iat: i64,
    /// `access` or `refresh`; tokens without it are access tokens issued elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// A refresh token's ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
}

/// Why a token was refused (all answer 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// Past its `exp`.
    Expired,
    /// Bad signature, bad format, wrong algorithm, or missing claims.
    Invalid,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenError::Expired => "the token has expired",
            TokenError::Invalid => "the token is invalid",
        })
    }
}

/// Signs and verifies JWTs.
///
/// ```
/// use quiver_auth::tokens::{Claims, Jwt};
///
/// let jwt = Jwt::hs256(b"a secret of at least thirty-two bytes!");
/// let token = jwt.access_token("42");
/// let claims: Claims = jwt.decode(&token).unwrap();
/// assert_eq!(claims.sub, "42");
/// assert!(jwt.decode::<Claims>(&format!("{token}x")).is_err());
/// ```
#[derive(Clone)]
pub struct Jwt {
    algorithm: Algorithm,
    encoding: Option<EncodingKey>,
    decoding: DecodingKey,
    validation: Validation,
    pub(crate) access_ttl: Duration,
    pub(crate) refresh_ttl: Duration,
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt").field("algorithm", &self.algorithm).finish_non_exhaustive()
    }
}

impl Jwt {
    fn with_keys(
        algorithm: Algorithm,
        encoding: Option<EncodingKey>,
        decoding: DecodingKey,
    ) -> Self {
        let mut validation = Validation::new(algorithm);
        validation.set_required_spec_claims(&["exp", "sub"]);
        validation.leeway = 0;
        Self {
            algorithm,
            encoding,
            decoding,
            validation,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
        }
    }

    /// HMAC-SHA256 with a shared secret.
    pub fn hs256(secret: &[u8]) -> Self {
        Self::with_keys(
            Algorithm::HS256,
            Some(EncodingKey::from_secret(secret)),
            DecodingKey::from_secret(secret),
        )
    }

    /// Ed25519 signatures: `private_pem` (PKCS#8) signs, `public_pem` verifies.
    pub fn ed25519(private_pem: &[u8], public_pem: &[u8]) -> Result<Self, String> {
        let encoding = EncodingKey::from_ed_pem(private_pem).map_err(|e| e.to_string())?;
        let decoding = DecodingKey::from_ed_pem(public_pem).map_err(|e| e.to_string())?;
        Ok(Self::with_keys(Algorithm::EdDSA, Some(encoding), decoding))
    }

    /// Verifies Ed25519 tokens signed elsewhere; cannot issue any.
    pub fn ed25519_verify_only(public_pem: &[u8]) -> Result<Self, String> {
        let decoding = DecodingKey::from_ed_pem(public_pem).map_err(|e| e.to_string())?;
        Ok(Self::with_keys(Algorithm::EdDSA, None, decoding))
    }

    /// How long access tokens last (default 15 minutes).
    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    /// How long refresh tokens last (default 14 days).
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// The algorithm (`HS256`, `EdDSA`).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Signs any claims.
    ///
    /// # Panics
    /// When this `Jwt` only verifies, or the claims do not serialize.
    pub fn encode<C: Serialize>(&self, claims: &C) -> String {
        let key =
            self.encoding.as_ref().expect("this Jwt only verifies tokens: it has no private key");
        jsonwebtoken::encode(&Header::new(self.algorithm), claims, key)
            .expect("claims serialize and the key signs")
    }

    /// An access token for user `sub`, valid for the access lifetime.
    pub fn access_token(&self, sub: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        self.encode(&Claims {
            sub: sub.to_owned(),
            exp: now + self.access_ttl.as_secs() as i64,
            iat: now,
            typ: Some("access".into()),
            jti: None,
        })
    }

    /// Verifies the signature, algorithm and expiry, and reads the claims.
    pub fn decode<C: DeserializeOwned>(&self, token: &str) -> Result<C, TokenError> {
        jsonwebtoken::decode::<C>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}
