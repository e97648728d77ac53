//! The auth app's models: users, groups, permissions, and the records behind sessions, refresh
//! tokens and API keys. Their tables come from the migrations in `quiver-auth/migrations`.

use chrono::{DateTime, Utc};
use quiver_orm::prelude::*;
use quiver_orm::{ManyToMany, ModelMeta};
use schemars::JsonSchema;
use serde::Serialize;

/// A person (or service) that can log in, Django's `auth.User`.
///
/// The password is stored as a hash (see [`crate::password`]); an empty hash means no password
/// login. Extend users with a profile model that has a `OneToOne<User>`:
///
/// ```
/// use quiver_auth::User;
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// pub struct Profile {
///     #[field(primary_key, on_delete = cascade)]
///     pub user: OneToOne<User>,
///     #[field(max_length = 200)]
///     pub bio: String,
/// }
/// ```
#[derive(Model, Clone, Serialize, JsonSchema)]
#[model(table = "auth_user", ordering = ["username"])]
pub struct User {
    /// The key.
    pub id: Auto<i64>,
    /// Unique login name.
    #[field(max_length = 150, unique)]
    pub username: String,
    /// Email address (may be empty).
    #[field(max_length = 254)]
    pub email: String,
    /// Given name.
    #[field(max_length = 150)]
    pub first_name: String,
    /// Family name.
    #[field(max_length = 150)]
    pub last_name: String,
    /// The password hash (`argon2$argon2id$...`); never serialised.
    #[field(max_length = 255)]
    #[serde(skip)]
    #[schemars(skip)]
    pub password: String,
    /// Inactive users cannot log in, and their tokens and sessions stop working.
    #[field(default = true)]
    pub is_active: bool,
    /// May enter the admin site.
    #[field(default = false)]
    pub is_staff: bool,
    /// Has every permission.
    #[field(default = false)]
    pub is_superuser: bool,
    /// When the user last logged in.
    pub last_login: Option<DateTime<Utc>>,
    /// When the account was made.
    #[field(auto_now_add)]
    pub date_joined: DateTime<Utc>,
    /// Groups the user belongs to (and gets the permissions of).
    #[serde(skip)]
    #[schemars(skip)]
    pub groups: ManyToMany<Group>,
    /// Permissions given to this user directly.
    #[serde(skip)]
    #[schemars(skip)]
    pub user_permissions: ManyToMany<Permission>,
}

impl std::fmt::Debug for User {
    /// Everything but the password hash, which never goes into logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("email", &self.email)
            .field("is_active", &self.is_active)
            .field("is_staff", &self.is_staff)
            .field("is_superuser", &self.is_superuser)
            .field("last_login", &self.last_login)
            .field("date_joined", &self.date_joined)
            .finish_non_exhaustive()
    }
}

impl User {
    /// A new active user (not saved) with no usable password: set one with
    /// [`set_password`](crate::password::PasswordHasher::hash) or use
    /// [`Auth::create_user`](crate::Auth::create_user).
    pub fn new(username: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            id: Auto::new(),
            username: username.into(),
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            password: String::new(),
            is_active: true,
            is_staff: false,
            is_superuser: false,
            last_login: None,
            date_joined: Utc::now(),
            groups: ManyToMany::new(),
            user_permissions: ManyToMany::new(),
        }
    }

    /// The user's key (0 before it is saved).
    pub fn pk(&self) -> i64 {
        self.id.get().unwrap_or_default()
    }
}

/// A named set of permissions users can be put in.
#[derive(Model, Debug, Clone, Serialize, JsonSchema)]
#[model(table = "auth_group", ordering = ["name"])]
pub struct Group {
    /// The key.
    pub id: Auto<i64>,
    /// Unique name.
    #[field(max_length = 150, unique)]
    pub name: String,
    /// What members may do.
    #[serde(skip)]
    #[schemars(skip)]
    pub permissions: ManyToMany<Permission>,
}

impl Group {
    /// A new group (not saved).
    pub fn new(name: impl Into<String>) -> Self {
        Self { id: Auto::new(), name: name.into(), permissions: ManyToMany::new() }
    }
}

/// Something a user may do, named `app_label.codename` (`blog.change_article`). `add_`,
/// `change_`, `delete_` and `view_` permissions exist for every model once
/// [`sync_permissions`](crate::permissions::sync_permissions) has run (`migrate` runs it).
#[derive(Model, Debug, Clone, Serialize, JsonSchema)]
#[model(
    table = "auth_permission",
    ordering = ["app_label", "codename"],
    unique_together = [["app_label", "codename"]]
)]
pub struct Permission {
    /// The key.
    pub id: Auto<i64>,
    /// The app the permission belongs to.
    #[field(max_length = 100)]
    pub app_label: String,
    /// The permission's code (`change_article`).
    #[field(max_length = 100)]
    pub codename: String,
    /// A sentence for people (`Can change article`).
    #[field(max_length = 255)]
    pub name: String,
}

impl Permission {
    /// `app_label.codename`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.app_label, self.codename)
    }
}

/// One server-side session: its key (the cookie's value), its data, and when it expires.
#[derive(Model, Clone)]
#[model(table = "auth_session")]
pub struct SessionRecord {
    /// The random session key.
    #[field(primary_key, max_length = 64)]
    pub key: String,
    /// The session's data, a JSON object.
    pub data: serde_json::Value,
    /// After this the session is gone (see `clearsessions`).
    #[field(index)]
    pub expire_date: DateTime<Utc>,
}

impl std::fmt::Debug for SessionRecord {
    /// The key is a credential and the data may hold secrets: only the expiry is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionRecord")
            .field("expire_date", &self.expire_date)
            .finish_non_exhaustive()
    }
}

/// A refresh token issued by the token endpoint: rotated on every use, revocable, and a reused
/// (already rotated) token revokes its whole family.
#[derive(Model, Debug, Clone)]
#[model(table = "auth_refresh_token")]
pub struct RefreshToken {
    /// The token's `jti`.
    #[field(primary_key)]
    pub id: uuid::Uuid,
    /// Whose token it is.
    #[field(on_delete = cascade)]
    pub user: ForeignKey<User>,
    /// Every token rotated from the same login shares a family.
    #[field(index)]
    pub family: uuid::Uuid,
    /// When it was issued.
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Set when it was used (rotated) or revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key a service client sends in `X-API-Key` (or `Authorization: Api-Key ...`), stored as a
/// SHA-256 hash: the key itself is shown once, when it is made.
#[derive(Model, Debug, Clone, Serialize, JsonSchema)]
#[model(table = "auth_api_key")]
pub struct ApiKey {
    /// The key.
    pub id: Auto<i64>,
    /// The user the client acts as.
    #[field(on_delete = cascade)]
    #[serde(skip)]
    #[schemars(skip)]
    pub user: ForeignKey<User>,
    /// What the key is for.
    #[field(max_length = 100)]
    pub name: String,
    /// The key's first characters, to find it and to show which key it is.
    #[field(max_length = 16, unique)]
    pub prefix: String,
    /// SHA-256 of the whole key, hex.
    #[field(max_length = 64)]
    #[serde(skip)]
    #[schemars(skip)]
    pub hashed_key: String,
    /// When it was made.
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revoked keys are refused.
    #[field(default = false)]
    pub revoked: bool,
}

/// The auth app's models, for `migrate` and `makemigrations`.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![
        User::meta(),
        Group::meta(),
        Permission::meta(),
        SessionRecord::meta(),
        RefreshToken::meta(),
        ApiKey::meta(),
    ]
}
