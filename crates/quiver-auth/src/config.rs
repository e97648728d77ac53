//! The auth app's settings and its installation into an [`App`].

use std::any::Any;
use std::sync::Arc;
use std::time::Duration;

use quiver_core::{App, AppContext, Error};
use quiver_orm::Db;

use crate::User;
use crate::limits::LimitStore;
use crate::password::{PasswordHasher, PasswordValidators};
use crate::session::{SessionBackend, SessionLayer};
use crate::throttle::LoginThrottle;
use crate::tokens::Jwt;

/// An object-level permission rule: `Some(true)` grants, `Some(false)` denies, `None` has no
/// opinion (see [`Auth::object_permission`]).
pub type ObjectRule = Arc<dyn Fn(&User, &str, &dyn Any) -> Option<bool> + Send + Sync>;

/// The auth app's settings. Build one, then install it with [`AuthAppExt::auth`].
///
/// ```
/// # async fn demo() -> quiver_orm::Result<()> {
/// use quiver_auth::{Auth, AuthAppExt, password::PasswordHasher};
/// use quiver_core::App;
/// use quiver_orm::Db;
///
/// let db = Db::connect("sqlite::memory:").await?;
/// let auth = Auth::new(&db, b"a long random secret, from the environment in production")
///     .hasher(PasswordHasher::argon2id(19 * 1024, 2, 1));
/// let app = App::new().state(db).auth(auth);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    pub(crate) db: Db,
    pub(crate) secret: Arc<[u8]>,
    pub(crate) hasher: PasswordHasher,
    pub(crate) validators: PasswordValidators,
    pub(crate) sessions: SessionBackend,
    pub(crate) session_age: Duration,
    pub(crate) jwt: Jwt,
    pub(crate) throttle: LoginThrottle,
    pub(crate) limits: LimitStore,
    pub(crate) object_rules: Vec<ObjectRule>,
    pub(crate) custom_permissions: Vec<(String, String, String)>,
    pub(crate) routes: bool,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("Auth")
            .field("sessions", &self.sessions)
            .field("jwt", &self.jwt)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// The prefix of the auth app's routes.
pub const AUTH_PREFIX: &str = "/auth";
/// The OAuth2 token endpoint (Swagger UI's "Authorize" posts here).
pub const TOKEN_URL: &str = "/auth/token";

impl Auth {
    /// Auth over `db`, signing with `secret` (session cookies, HS256 tokens). Defaults:
    /// sessions in the database for two weeks, Argon2id with OWASP's parameters, Django's
    /// password rules, 15-minute access and 14-day refresh tokens, login lock-out after 5
    /// failures in 15 minutes, counters in memory.
    pub fn new(db: &Db, secret: impl AsRef<[u8]>) -> Self {
        let secret: Arc<[u8]> = Arc::from(secret.as_ref());
        Self {
            db: db.clone(),
            jwt: Jwt::hs256(&secret),
            secret,
            hasher: PasswordHasher::default(),
            validators: PasswordValidators::default(),
            sessions: SessionBackend::database(db),
            session_age: Duration::from_secs(14 * 24 * 3600),
            throttle: LoginThrottle::default(),
            limits: LimitStore::memory(),
            object_rules: Vec::new(),
            custom_permissions: Vec::new(),
            routes: true,
        }
    }

    /// The password hasher (Argon2id parameters).
    pub fn hasher(mut self, hasher: PasswordHasher) -> Self {
        self.hasher = hasher;
        self
    }

    /// The password rules checked by [`create_user`](Self::create_user) and
    /// [`set_password`](Self::set_password).
    pub fn password_validators(mut self, validators: PasswordValidators) -> Self {
        self.validators = validators;
        self
    }

    /// Where sessions live (database by default, Redis, or a signed cookie).
    pub fn sessions(mut self, backend: SessionBackend) -> Self {
        self.sessions = backend;
        self
    }

    /// How long a session lasts after its last change (two weeks by default).
    pub fn session_age(mut self, age: Duration) -> Self {
        self.session_age = age;
        self
    }

    /// How tokens are signed (HS256 with the secret key by default).
    pub fn jwt(mut self, jwt: Jwt) -> Self {
        self.jwt = jwt;
        self
    }

    /// Login throttling.
    pub fn login_throttle(mut self, throttle: LoginThrottle) -> Self {
        self.throttle = throttle;
        self
    }

    /// Where throttling and rate-limit counters live (memory by default; Redis to share them).
    pub fn limits(mut self, store: LimitStore) -> Self {
        self.limits = store;
        self
    }

    /// Adds an object-level permission rule, asked by [`Auth::has_object_perm`] when the user
    /// lacks the model-wide permission.
    ///
    /// ```
    /// # fn demo(auth: quiver_auth::Auth) -> quiver_auth::Auth {
    /// struct Article { author_id: i64 }
    ///
    /// auth.object_permission(|user, perm, object| {
    ///     let article = object.downcast_ref::<Article>()?;
    ///     (perm == "blog.change_article").then(|| article.author_id == user.pk())
    /// })
    /// # }
    /// ```
    pub fn object_permission(
        mut self,
        rule: impl Fn(&User, &str, &dyn Any) -> Option<bool> + Send + Sync + 'static,
    ) -> Self {
        self.object_rules.push(Arc::new(rule));
        self
    }

    /// Declares a permission beyond add/change/delete/view; created by `migrate`.
    pub fn custom_permission(mut self, app_label: &str, codename: &str, name: &str) -> Self {
        self.custom_permissions.push((app_label.into(), codename.into(), name.into()));
        self
    }

    /// Leaves out the `/auth/...` routes (token, login, logout, me).
    pub fn without_routes(mut self) -> Self {
        self.routes = false;
        self
    }

    /// The database the auth app uses.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The token signer.
    pub fn tokens(&self) -> &Jwt {
        &self.jwt
    }

    /// The password hasher.
    pub fn password_hasher(&self) -> &PasswordHasher {
        &self.hasher
    }

    /// Where sessions live.
    pub fn session_backend(&self) -> &SessionBackend {
        &self.sessions
    }

    /// The custom permissions declared with [`custom_permission`](Self::custom_permission).
    pub fn custom_permissions_list(&self) -> Vec<(String, String, String)> {
        self.custom_permissions.clone()
    }

    /// The counters store.
    pub fn limit_store(&self) -> &LimitStore {
        &self.limits
    }

    /// The auth app of the app serving this request.
    pub fn of(app: &AppContext) -> Result<&Auth, Error> {
        app.state::<Auth>().ok_or_else(|| {
            Error::internal(
                "the auth app is not installed: call `App::auth(Auth::new(&db, secret))`",
            )
        })
    }

    /// Every insecure auth setting, with its fix (the auth part of `check --deploy`).
    pub fn deploy_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.secret.len() < 32 {
            warnings.push(format!(
                "the secret key is {} bytes long: use at least 32 random bytes (e.g. `openssl rand -base64 48`) from the environment",
                self.secret.len()
            ));
        }
        if self.hasher.is_weak() {
            warnings.push(
                "the Argon2 parameters are below OWASP's minimum (19 MiB, 2 passes): use `PasswordHasher::default()`"
                    .to_owned(),
            );
        }
        if self.validators.min_length < 8 {
            warnings.push(format!(
                "passwords may be {} characters long: require at least 8 (`PasswordValidators::default()`)",
                self.validators.min_length
            ));
        }
        if matches!(self.limits, LimitStore::Memory(_)) {
            warnings.push(
                "login throttling and rate limits count per process: with several instances use `LimitStore::redis(...)`"
                    .to_owned(),
            );
        }
        if self.throttle.max_failures == 0 {
            warnings.push("login throttling is off: set `LoginThrottle::default()`".to_owned());
        }
        warnings
    }
}

/// Installs the auth app into an [`App`].
pub trait AuthAppExt {
    /// Adds the auth app: its settings as state, the session layer, and its routes
    /// (`POST /auth/token`, `POST /auth/login`, `POST /auth/logout`, `GET /auth/me`).
    fn auth(self, auth: Auth) -> Self;
}

impl AuthAppExt for App {
    fn auth(self, auth: Auth) -> Self {
        let layer = SessionLayer::new(auth.sessions.clone(), auth.secret.clone(), auth.session_age);
        let routes = auth.routes;
        // The token endpoints take credentials in the body, never ambient ones, and set no
        // cookie: a page elsewhere gains nothing by posting to them (and Swagger UI's
        // "Authorize" must work for a browser that holds cookies).
        let app = self
            .state(auth)
            .layer(layer)
            .csrf_exempt(&format!("{AUTH_PREFIX}/token"))
            .csrf_exempt(&format!("{AUTH_PREFIX}/revoke"));
        if routes { app.include(crate::views::router()) } else { app }
    }
}
