//! What handlers declare: [`CurrentUser`], [`OptionalUser`], [`TokenClaims`] and
//! [`Require`] (a permission or another check). Each shows up as a security requirement in the
//! OpenAPI document, so Swagger UI's "Authorize" button works with them.

use std::collections::HashSet;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

use http::header::AUTHORIZATION;
use http::request::Parts;
use quiver_core::extract::{Dep, Dependency, FromRequestParts};
use quiver_core::openapi::{OperationDoc, SecurityScheme};
use quiver_core::{AppContext, Error, HttpError, Result};
use quiver_orm::Model;
use schemars::SchemaGenerator;
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;

use crate::config::{Auth, TOKEN_URL};
use crate::models::User;
use crate::session::Session;
use crate::tokens::{Claims, Jwt};

/// How the request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The session cookie (a browser that logged in).
    Session,
    /// A bearer JWT.
    Token,
    /// An API key.
    ApiKey,
}

/// The logged-in user; `401` with `WWW-Authenticate` when nobody is.
///
/// Credentials are read in this order: `Authorization: Bearer <JWT>`, `Authorization: Api-Key
/// <key>` or `X-API-Key`, then the session cookie. Credentials that are sent but wrong are a
/// `401` even where a user is optional: a request never silently becomes anonymous.
///
/// ```
/// use quiver_auth::CurrentUser;
/// use quiver_core::extract::Json;
///
/// async fn me(user: CurrentUser) -> Json<String> {
///     Json(user.username.clone())
/// }
/// ```
#[derive(Clone)]
pub struct CurrentUser {
    user: Arc<User>,
    method: AuthMethod,
    permissions: Arc<OnceCell<HashSet<String>>>,
}

impl std::fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentUser")
            .field("username", &self.user.username)
            .field("method", &self.method)
            .finish()
    }
}

impl std::ops::Deref for CurrentUser {
    type Target = User;

    fn deref(&self) -> &User {
        &self.user
    }
}

impl CurrentUser {
    /// The user.
    pub fn user(&self) -> &User {
        &self.user
    }

    /// How the request authenticated.
    pub fn method(&self) -> AuthMethod {
        self.method
    }

    /// Whether the user has `perm` (`app_label.codename`); the user's permissions are read once
    /// per request.
    pub async fn has_perm(&self, auth: &Auth, perm: &str) -> Result<bool> {
        if let Some(decided) = crate::permissions::decided_by_flags(&self.user) {
            return Ok(decided);
        }
        let set = self
            .permissions
            .get_or_try_init(|| crate::permissions::user_permissions(&auth.db, &self.user))
            .await
            .map_err(Error::internal)?;
        Ok(set.contains(perm))
    }
}

/// `401` for credentials that were sent but do not hold.
fn invalid_credentials(detail: String) -> Error {
    HttpError::unauthorized(detail)
        .with_header("www-authenticate", r#"Bearer error="invalid_token""#)
        .into()
}

fn not_authenticated() -> Error {
    HttpError::unauthorized("Not authenticated").with_header("www-authenticate", "Bearer").into()
}

/// The outcome of reading the request's credentials, once per request.
#[derive(Clone)]
struct Authentication(std::result::Result<Option<CurrentUser>, String>);

impl Dependency for Authentication {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let auth = Auth::of(app)?;
        Ok(Authentication(authenticate(auth, parts).await?))
    }
}

async fn authenticate(
    auth: &Auth,
    parts: &Parts,
) -> Result<std::result::Result<Option<CurrentUser>, String>> {
    let make = |user: User, method| {
        Ok(Ok(Some(CurrentUser { user: Arc::new(user), method, permissions: Arc::default() })))
    };
    let api_key = parts.headers.get("x-api-key").map(|v| v.to_str().unwrap_or_default());
    if let Some((scheme, credentials)) = authorization(parts) {
        if scheme.eq_ignore_ascii_case("bearer") {
            let claims = match auth.jwt.decode::<Claims>(credentials) {
                Ok(claims) if claims.typ.as_deref() != Some("refresh") => claims,
                Ok(_) => {
                    return Ok(Err("Invalid token: a refresh token is not an access token".into()));
                }
                Err(e) => return Ok(Err(format!("Invalid token: {e}"))),
            };
            let user = match claims.sub.parse::<i64>() {
                Ok(id) => User::objects()
                    .filter(User::ID.eq(id))
                    .first(&auth.db)
                    .await
                    .map_err(Error::internal)?,
                Err(_) => None,
            };
            return match user.filter(|u| u.is_active) {
                Some(user) => make(user, AuthMethod::Token),
                None => Ok(Err("Invalid token: the user is unknown or inactive".into())),
            };
        }
        if scheme.eq_ignore_ascii_case("api-key") {
            return match auth.api_key_user(credentials).await? {
                Some(user) => make(user, AuthMethod::ApiKey),
                None => Ok(Err("Invalid API key".into())),
            };
        }
        return Ok(Err(format!(
            "Unsupported authorization scheme {scheme:?}: use Bearer or Api-Key"
        )));
    }
    if let Some(key) = api_key {
        return match auth.api_key_user(key.trim()).await? {
            Some(user) => make(user, AuthMethod::ApiKey),
            None => Ok(Err("Invalid API key".into())),
        };
    }
    if let Some(session) = parts.extensions.get::<Session>()
        && let Some(user) = auth.session_user(session).await?
    {
        return make(user, AuthMethod::Session);
    }
    Ok(Ok(None))
}

/// The `Authorization` header as (scheme, credentials), if the request sent one.
fn authorization(parts: &Parts) -> Option<(&str, &str)> {
    let header = parts.headers.get(AUTHORIZATION)?.to_str().unwrap_or_default();
    let (scheme, credentials) = header.split_once(' ').unwrap_or((header, ""));
    Some((scheme, credentials.trim()))
}

fn describe_security(doc: &mut OperationDoc) {
    doc.security("OAuth2PasswordBearer", SecurityScheme::oauth2_password(TOKEN_URL), &[]);
    doc.security("APIKeyHeader", SecurityScheme::api_key_header("X-API-Key"), &[]);
    doc.error_response(401, "Not authenticated");
}

impl FromRequestParts for CurrentUser {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let Dep(Authentication(outcome)) =
            Dep::<Authentication>::from_request_parts(parts, app).await?;
        match outcome {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(not_authenticated()),
            Err(detail) => Err(invalid_credentials(detail)),
        }
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        describe_security(doc);
    }
}

/// The logged-in user, or `None` for an anonymous request (wrong credentials are still `401`).
///
/// ```
/// use quiver_auth::OptionalUser;
///
/// async fn greet(OptionalUser(user): OptionalUser) -> String {
///     match user {
///         Some(user) => format!("hello {}", user.username),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalUser(pub Option<CurrentUser>);

impl FromRequestParts for OptionalUser {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let Dep(Authentication(outcome)) =
            Dep::<Authentication>::from_request_parts(parts, app).await?;
        outcome.map(OptionalUser).map_err(invalid_credentials)
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        describe_security(doc);
    }
}

/// The verified claims of the request's bearer JWT, without a database lookup: for services
/// that trust the token alone. Reads the [`Jwt`] registered with `App::state`, else the auth
/// app's.
///
/// ```
/// use quiver_auth::{TokenClaims, tokens::{Claims, Jwt}};
/// use quiver_core::{App, extract::Json};
///
/// async fn me(TokenClaims(claims): TokenClaims) -> Json<String> {
///     Json(claims.sub)
/// }
///
/// let app = App::new().state(Jwt::hs256(b"bench-secret")).get("/me", me);
/// ```
#[derive(Debug, Clone)]
pub struct TokenClaims<C = Claims>(pub C);

impl<C: DeserializeOwned + Send> FromRequestParts for TokenClaims<C> {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let jwt: &Jwt = match app.state::<Jwt>() {
            Some(jwt) => jwt,
            None => &Auth::of(app)?.jwt,
        };
        let token = authorization(parts)
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(not_authenticated)?;
        jwt.decode::<C>(token)
            .map(TokenClaims)
            .map_err(|e| invalid_credentials(format!("Invalid token: {e}")))
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        doc.security("HTTPBearer", SecurityScheme::bearer(Some("JWT")), &[]);
        doc.error_response(401, "Not authenticated");
    }
}

/// A rule a request must pass, checked by [`Require`]. Implement it for your own guards.
///
/// ```
/// use http::request::Parts;
/// use quiver_auth::{Auth, Check, CurrentUser, Require};
///
/// struct EmailVerified;
///
/// impl Check for EmailVerified {
///     async fn check(user: &CurrentUser, _auth: &Auth, _parts: &Parts) -> quiver_core::Result<bool> {
///         Ok(user.email.ends_with("@example.com"))
///     }
///     fn requirement() -> String {
///         "an example.com email address".into()
///     }
/// }
///
/// async fn handler(_: Require<EmailVerified>) {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a check `Require` can run",
    note = "use `Require<perm!(\"app_label.codename\")>`, `Require<IsStaff>`, or implement `quiver::auth::Check` for `{Self}`"
)]
pub trait Check: Send + Sync + 'static {
    /// Whether `user` passes.
    fn check(
        user: &CurrentUser,
        auth: &Auth,
        parts: &Parts,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// What the rule requires, for the `403` message and the OpenAPI document.
    fn requirement() -> String;
}

/// Requires a logged-in user (`401` otherwise) who passes `C` (`403` otherwise, naming what was
/// missing).
///
/// ```
/// use quiver_auth::{CurrentUser, IsStaff, Require, perm};
///
/// async fn edit(_: Require<perm!("blog.change_article")>, user: CurrentUser) -> String {
///     format!("{} may edit", user.username)
/// }
///
/// async fn staff_only(_: Require<IsStaff>) {}
/// ```
pub struct Require<C>(PhantomData<fn() -> C>);

impl<C> Clone for Require<C> {
    fn clone(&self) -> Self {
        Self(PhantomData)
    }
}

impl<C> std::fmt::Debug for Require<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Require")
    }
}

impl<C: Check> Dependency for Require<C> {
    async fn provide(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let user = CurrentUser::from_request_parts(parts, app).await?;
        let auth = Auth::of(app)?;
        if C::check(&user, auth, parts).await? {
            Ok(Require(PhantomData))
        } else {
            Err(HttpError::forbidden(format!("Permission denied: this needs {}", C::requirement()))
                .into())
        }
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        describe_security(doc);
        doc.error_response(403, &format!("Permission denied: needs {}", C::requirement()));
    }
}

impl<C: Check> FromRequestParts for Require<C> {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        <Self as Dependency>::provide(parts, app).await
    }

    fn describe(doc: &mut OperationDoc, generator: &mut SchemaGenerator) {
        <Self as Dependency>::describe(doc, generator);
    }
}

/// Passes staff users (those who may enter the admin).
#[derive(Debug, Clone, Copy)]
pub struct IsStaff;

impl Check for IsStaff {
    async fn check(user: &CurrentUser, _auth: &Auth, _parts: &Parts) -> Result<bool> {
        Ok(user.is_active && user.is_staff)
    }

    fn requirement() -> String {
        "a staff account".into()
    }
}

/// Passes superusers.
#[derive(Debug, Clone, Copy)]
pub struct IsSuperuser;

impl Check for IsSuperuser {
    async fn check(user: &CurrentUser, _auth: &Auth, _parts: &Parts) -> Result<bool> {
        Ok(user.is_active && user.is_superuser)
    }

    fn requirement() -> String {
        "a superuser account".into()
    }
}

/// A permission named at the type level, written with [`perm!`](crate::perm): the ASCII name
/// `app_label.codename` (64 bytes at most) packed into four integers, 16 bytes each.
pub struct Perm<const A: u128, const B: u128 = 0, const C: u128 = 0, const D: u128 = 0>;

impl<const A: u128, const B: u128, const C: u128, const D: u128> Perm<A, B, C, D> {
    /// The permission's name.
    ///
    /// ```
    /// use quiver_auth::perm;
    ///
    /// assert_eq!(<perm!("blog.change_article")>::name(), "blog.change_article");
    /// ```
    pub fn name() -> String {
        [A, B, C, D]
            .iter()
            .flat_map(|chunk| chunk.to_be_bytes())
            .take_while(|&byte| byte != 0)
            .map(char::from)
            .collect()
    }
}

impl<const A: u128, const B: u128, const C: u128, const D: u128> Check for Perm<A, B, C, D> {
    async fn check(user: &CurrentUser, auth: &Auth, _parts: &Parts) -> Result<bool> {
        user.has_perm(auth, &Self::name()).await
    }

    fn requirement() -> String {
        format!("the permission {}", Self::name())
    }
}
