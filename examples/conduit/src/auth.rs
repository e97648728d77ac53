//! Who is calling: the spec's `Authorization: Token <jwt>` header, as two dependencies.

use quiver::auth::tokens::Claims;
use quiver::auth::{Auth, User};
use quiver::deps::http::request::Parts;
use quiver::deps::schemars::SchemaGenerator;
use quiver::openapi::{OperationDoc, SecurityScheme};
use quiver::prelude::*;

/// The logged-in user; a missing or bad token is a 401.
#[derive(Clone, Debug)]
pub struct AuthUser(pub User);

/// The logged-in user if a token was sent (a bad token is still a 401, never anonymous).
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<User>);

fn unauthorized(message: &str) -> quiver::Error {
    HttpError::unauthorized(message.to_owned()).with_header("www-authenticate", "Token").into()
}

async fn from_header(parts: &Parts, app: &AppContext) -> Result<Option<User>> {
    let Some(header) = parts.headers.get("authorization") else { return Ok(None) };
    let token = header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Token ").or_else(|| h.strip_prefix("Bearer ")))
        .ok_or_else(|| unauthorized("use the Authorization: Token <jwt> header"))?;
    let auth = Auth::of(app)?;
    let claims: Claims =
        auth.tokens().decode(token.trim()).map_err(|_| unauthorized("invalid or expired token"))?;
    let id: i64 = claims.sub.parse().map_err(|_| unauthorized("invalid token"))?;
    let user = User::objects().filter(User::ID.eq(id)).first(auth.db()).await.or_404()?;
    match user {
        Some(user) if user.is_active => Ok(Some(user)),
        _ => Err(unauthorized("the token's user no longer exists")),
    }
}

fn declare(doc: &mut OperationDoc) {
    doc.security("Token", SecurityScheme::api_key_header("Authorization"), &[]);
    doc.error_response(401, "Unauthorized");
}

impl Dependency for AuthUser {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        from_header(parts, app).await?.map(AuthUser).ok_or_else(|| unauthorized("missing token"))
    }

    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        declare(doc);
    }
}

impl Dependency for MaybeUser {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        from_header(parts, app).await.map(MaybeUser)
    }
}
