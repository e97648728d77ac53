//! Checking credentials, logging in and out, and making users: the auth app's verbs.

use std::net::IpAddr;
use std::time::Duration;

use chrono::Utc;
use quiver_core::security::CsrfToken;
use quiver_core::{Error, HttpError};
use quiver_orm::Model;
use serde_json::Value;

use crate::User;
use crate::config::Auth;
use crate::password::Verified;
use crate::session::Session;
use crate::throttle::LoginThrottle;

/// The session key holding the logged-in user's key.
pub(crate) const SESSION_USER: &str = "_auth_user_id";
/// The session key holding a digest of the user's password hash: changing the password ends
/// every other session.
pub(crate) const SESSION_HASH: &str = "_auth_user_hash";

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    /// Unknown user, wrong password, or inactive account (not told apart, on purpose).
    InvalidCredentials,
    /// Too many failures: refused until the window ends.
    Locked {
        /// Time until logins are allowed again.
        retry_after: Duration,
    },
}

impl From<LoginError> for Error {
    fn from(error: LoginError) -> Self {
        match error {
            LoginError::InvalidCredentials => {
                HttpError::unauthorized("Incorrect username or password")
                    .with_header("www-authenticate", "Bearer")
                    .into()
            }
            LoginError::Locked { retry_after } => {
                let seconds = retry_after.as_secs().max(1);
                HttpError::new(
                    http::StatusCode::TOO_MANY_REQUESTS,
                    format!("Too many failed logins: try again in {seconds} s"),
                )
                .with_header("retry-after", seconds.to_string())
                .into()
            }
        }
    }
}

impl Auth {
    /// Checks `username` and `password`, throttled per account and per `ip`; the user on
    /// success (its hash upgraded when it used an older algorithm, `last_login` set).
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        ip: IpAddr,
    ) -> Result<User, Error> {
        let throttle = self.throttle;
        let (account, address) = (LoginThrottle::account_key(username), LoginThrottle::ip_key(ip));
        if throttle.max_failures > 0 {
            let (by_account, left_account) = self.limits.peek(&account).await?;
            let (by_ip, left_ip) = self.limits.peek(&address).await?;
            if by_account >= throttle.max_failures {
                return Err(LoginError::Locked { retry_after: left_account }.into());
            }
            if by_ip >= throttle.max_failures_per_ip {
                return Err(LoginError::Locked { retry_after: left_ip }.into());
            }
        }
        // No stored username holds a NUL (the databases refuse it): such a name is unknown,
        // answered like any other wrong credentials, not looked up.
        let found = if username.contains('\0') {
            None
        } else {
            User::objects()
                .filter(User::USERNAME.eq(username))
                .first(&self.db)
                .await
                .map_err(Error::internal)?
        };
        let verified = match &found {
            Some(user) => self.hasher.verify_async(password, &user.password).await,
            None => {
                // Spend the same time as for a real user, so timing does not reveal who exists.
                let _ = self.hasher.hash_async(password).await;
                Verified::No
            }
        };
        match found {
            Some(mut user) if verified.ok() && user.is_active => {
                if throttle.max_failures > 0 {
                    self.limits.reset(&account).await?;
                }
                if verified == Verified::YesUpgrade {
                    user.password = self.hasher.hash_async(password).await;
                }
                user.last_login = Some(Utc::now());
                user.save(&self.db).await.map_err(Error::internal)?;
                Ok(user)
            }
            _ => {
                if throttle.max_failures > 0 {
                    let (failures, _) = self.limits.hit(&account, throttle.window).await?;
                    self.limits.hit(&address, throttle.window).await?;
                    tokio::time::sleep(throttle.delay_for(failures)).await;
                }
                tracing::warn!(username, %ip, "failed login");
                Err(LoginError::InvalidCredentials.into())
            }
        }
    }

    /// Logs `user` in on `session`: a new session key (any key from before is worthless), a new
    /// CSRF secret, and the user's key stored.
    pub async fn login(&self, session: &Session, user: &User) -> Result<(), Error> {
        session.cycle_key().await?;
        session.insert(SESSION_USER, user.pk()).await?;
        session.insert(SESSION_HASH, self.session_hash(user)).await?;
        CsrfToken::rotate();
        Ok(())
    }

    /// Logs out: the session and its cookie are deleted.
    pub async fn logout(&self, session: &Session) {
        session.flush().await;
    }

    /// A digest of the user's password hash, keyed with the secret.
    pub(crate) fn session_hash(&self, user: &User) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.secret)
            .expect("HMAC takes any key length");
        mac.update(b"quiver.auth.session.");
        mac.update(user.password.as_bytes());
        crate::hex(&mac.finalize().into_bytes())
    }

    /// The user logged in on `session`, if any (and still active, with the same password).
    pub async fn session_user(&self, session: &Session) -> Result<Option<User>, Error> {
        let Some(id) = session.get::<i64>(SESSION_USER).await? else {
            return Ok(None);
        };
        let user = User::objects()
            .filter(User::ID.eq(id))
            .first(&self.db)
            .await
            .map_err(Error::internal)?;
        let hash: Option<String> = session.get(SESSION_HASH).await?;
        Ok(user.filter(|u| u.is_active && hash.as_deref() == Some(self.session_hash(u).as_str())))
    }

    /// Sets `user`'s password after checking the password rules (a 422 naming `password` lists
    /// every broken rule); not saved.
    pub async fn set_password(&self, user: &mut User, password: &str) -> Result<(), Error> {
        let attributes = [
            user.username.as_str(),
            user.email.as_str(),
            user.first_name.as_str(),
            user.last_name.as_str(),
        ];
        self.validators.validate("password", password, &attributes)?;
        user.password = self.hasher.hash_async(password).await;
        Ok(())
    }

    /// Makes and saves an active user; `password` must pass the password rules.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_auth::{Auth, password::PasswordHasher};
    ///
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await.unwrap();
    /// quiver_orm::schema::create_tables(&db, &quiver_auth::models()).await.unwrap();
    /// let auth = Auth::new(&db, [7u8; 32]).hasher(PasswordHasher::argon2id(8 * 1024, 1, 1));
    /// let ada = auth.create_user("ada", "ada@example.com", "analytical-engine-1843").await.unwrap();
    /// assert!(ada.pk() > 0 && !ada.is_staff);
    /// let weak = auth.create_user("bob", "", "bob").await.unwrap_err();
    /// assert_eq!(weak.status(), 422);
    /// # });
    /// ```
    pub async fn create_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<User, Error> {
        self.make_user(username, email, password, false).await
    }

    /// [`create_user`](Self::create_user) with staff and superuser flags set.
    pub async fn create_superuser(
        &self,
        username: &str,
        email: &str,
        password: &str,
    ) -> Result<User, Error> {
        self.make_user(username, email, password, true).await
    }

    async fn make_user(
        &self,
        username: &str,
        email: &str,
        password: &str,
        superuser: bool,
    ) -> Result<User, Error> {
        let taken = || -> Error {
            quiver_core::validation::ValidationErrors::from(
                quiver_core::validation::ErrorDetail::new(
                    "unique",
                    vec!["body".into(), "username".into()],
                    "A user with that username already exists.",
                    Value::String(username.to_owned()),
                ),
            )
            .into()
        };
        let exists = User::objects()
            .filter(User::USERNAME.eq(username))
            .exists(&self.db)
            .await
            .map_err(Error::internal)?;
        if exists {
            return Err(taken());
        }
        let mut user = User::new(username, email);
        user.is_staff = superuser;
        user.is_superuser = superuser;
        self.set_password(&mut user, password).await?;
        match user.insert(&self.db).await {
            Ok(()) => Ok(user),
            // Another request took the name between the check and the insert.
            Err(error) if matches!(error.kind(), quiver_orm::ErrorKind::UniqueViolation { .. }) => {
                Err(taken())
            }
            Err(error) => Err(Error::internal(error)),
        }
    }
}
