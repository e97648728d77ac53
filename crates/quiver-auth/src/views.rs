//! The auth app's routes: the OAuth2 token endpoint, token revocation, session login and
//! logout, the current user, and a CSRF token for single-page apps.

use http::Method;
use quiver_core::extract::{Form, Json};
use quiver_core::response::NoContent;
use quiver_core::security::{ClientIp, CsrfToken};
use quiver_core::validation::{ErrorDetail, ValidationErrors};
use quiver_core::{AppContext, Result, Route, Router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::config::{AUTH_PREFIX, Auth};
use crate::extract::CurrentUser;
use crate::models::User;
use crate::session::Session;
use crate::tokens::TokenPair;

/// The token request (OAuth2, form-encoded): `grant_type=password` with `username` and
/// `password`, or `grant_type=refresh_token` with `refresh_token`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct TokenRequest {
    /// `password` (the default) or `refresh_token`.
    pub grant_type: Option<String>,
    /// For the password grant.
    pub username: Option<String>,
    /// For the password grant.
    pub password: Option<String>,
    /// For the refresh grant.
    pub refresh_token: Option<String>,
    /// Ignored (no scopes yet).
    pub scope: Option<String>,
}

fn missing(field: &'static str) -> quiver_core::Error {
    ValidationErrors::from(ErrorDetail::missing(quiver_core::validation::Source::Body, field))
        .into()
}

/// Log in with a username and password (or refresh a token) and get a bearer token.
async fn token(
    app: AppContext,
    ip: ClientIp,
    Form(form): Form<TokenRequest>,
) -> Result<Json<TokenPair>> {
    let auth = Auth::of(&app)?;
    match form.grant_type.as_deref().unwrap_or("password") {
        "password" => {
            let username = form.username.ok_or_else(|| missing("username"))?;
            let password = form.password.ok_or_else(|| missing("password"))?;
            let user = auth.authenticate(&username, &password, ip.0).await?;
            Ok(Json(auth.issue_tokens(&user).await?))
        }
        "refresh_token" => {
            let refresh = form.refresh_token.ok_or_else(|| missing("refresh_token"))?;
            Ok(Json(auth.refresh(&refresh).await?))
        }
        other => Err(ValidationErrors::from(ErrorDetail::new(
            "unsupported_grant_type",
            vec!["body".into(), "grant_type".into()],
            "Use grant_type password or refresh_token",
            serde_json::Value::String(other.to_owned()),
        ))
        .into()),
    }
}

/// A refresh token to revoke.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct RevokeRequest {
    /// The refresh token; every token rotated from the same login is revoked with it.
    pub token: String,
}

/// Revoke a refresh token and its whole family (RFC 7009: unknown tokens are not an error).
async fn revoke(app: AppContext, Form(form): Form<RevokeRequest>) -> Result<NoContent> {
    Auth::of(&app)?.revoke(&form.token).await?;
    Ok(NoContent)
}

/// Credentials for a session login.
#[derive(Debug, Deserialize, Serialize, JsonSchema, Validate)]
pub struct LoginRequest {
    /// The username.
    #[validate(length(min = 1, max = 150))]
    pub username: String,
    /// The password.
    #[validate(length(min = 1, max = 4096))]
    pub password: String,
}

/// Log in with a username and password; the session cookie carries the login from then on.
async fn login(
    app: AppContext,
    ip: ClientIp,
    session: Session,
    Json(body): Json<LoginRequest>,
) -> Result<Json<User>> {
    let auth = Auth::of(&app)?;
    let user = auth.authenticate(&body.username, &body.password, ip.0).await?;
    auth.login(&session, &user).await?;
    Ok(Json(user))
}

/// Log out: the session ends and its cookie is deleted.
async fn logout(app: AppContext, session: Session) -> Result<NoContent> {
    Auth::of(&app)?.logout(&session).await;
    Ok(NoContent)
}

/// The logged-in user.
async fn me(user: CurrentUser) -> Json<User> {
    Json(user.user().clone())
}

/// A CSRF token for scripts.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CsrfResponse {
    /// Send it back in the `X-CSRFToken` header of unsafe requests.
    pub csrf_token: String,
}

/// A CSRF token (and its cookie) for single-page apps that post with the session cookie.
async fn csrf(token: CsrfToken) -> Json<CsrfResponse> {
    Json(CsrfResponse { csrf_token: token.value().to_owned() })
}

/// The auth app's routes under `/auth`.
pub(crate) fn router() -> Router {
    let route = |method: Method, path: &str, name: &str| {
        (method, format!("{AUTH_PREFIX}{path}"), name.to_owned())
    };
    let (m, p, n) = route(Method::POST, "/token", "token");
    let token = Route::new(m, p, token)
        .name(n)
        .error(401, "Incorrect username or password")
        .error(429, "Too many failed logins");
    let (m, p, n) = route(Method::POST, "/revoke", "revoke_token");
    let revoke = Route::new(m, p, revoke).name(n);
    let (m, p, n) = route(Method::POST, "/login", "login");
    let login = Route::new(m, p, login)
        .name(n)
        .error(401, "Incorrect username or password")
        .error(429, "Too many failed logins");
    let (m, p, n) = route(Method::POST, "/logout", "logout");
    let logout = Route::new(m, p, logout).name(n);
    let (m, p, n) = route(Method::GET, "/me", "me");
    let me = Route::new(m, p, me).name(n);
    let (m, p, n) = route(Method::GET, "/csrf", "csrf_token");
    let csrf = Route::new(m, p, csrf).name(n);
    Router::new().tag("auth").routes([token, revoke, login, logout, me, csrf])
}
