//! Registration, login, the current user.

use quiver::Route;
use quiver::auth::User;
use quiver::prelude::*;
use quiver::validation::{ErrorDetail, Source, ValidationErrors};

use crate::auth::AuthUser;
use crate::models::Profile;

/// The caller, with their token.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserView {
    /// Their email address.
    pub email: String,
    /// A JWT for the `Authorization: Token <jwt>` header.
    pub token: String,
    /// Their name.
    pub username: String,
    /// A few words about them.
    pub bio: String,
    /// A picture's URL.
    pub image: Option<String>,
}

/// `{"user": ...}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UserEnvelope {
    /// The user.
    pub user: UserView,
}

/// Who registers.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewUser {
    /// Unique.
    #[validate(length(min = 1, max = 150, message = "can't be empty"))]
    pub username: String,
    /// Unique.
    #[validate(email(message = "is invalid"))]
    pub email: String,
    /// At least 8 characters, not a common password, not only digits.
    #[validate(length(min = 8, max = 4096, message = "is too short (minimum is 8 characters)"))]
    #[schemars(regex(pattern = r"\D"))]
    pub password: String,
}

/// `{"user": {...}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewUserRequest {
    /// The new user.
    #[validate(nested)]
    pub user: NewUser,
}

/// Credentials.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct Login {
    /// The account's email.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub email: String,
    /// Its password.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub password: String,
}

/// `{"user": {"email", "password"}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct LoginRequest {
    /// The credentials.
    #[validate(nested)]
    pub user: Login,
}

/// What may change; fields left out stay.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct UserChanges {
    /// A new email address.
    #[validate(email(message = "is invalid"))]
    pub email: Option<String>,
    /// A new name.
    #[validate(length(min = 1, max = 150, message = "can't be empty"))]
    pub username: Option<String>,
    /// A new password.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub password: Option<String>,
    /// A new picture (`null` removes it).
    #[serde(default, deserialize_with = "present")]
    pub image: Option<Option<String>>,
    /// A new bio.
    pub bio: Option<String>,
}

/// `{"user": {...}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct UserChangesRequest {
    /// The changes.
    #[validate(nested)]
    pub user: UserChanges,
}

/// A field that was sent, even as `null` (`Some(None)`), apart from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn taken(field: &str) -> quiver::Error {
    ValidationErrors::from(ErrorDetail::new(
        "taken",
        vec![Source::Body.as_str().into(), "user".into(), field.to_owned().into()],
        "has already been taken",
        serde_json::Value::Null,
    ))
    .into()
}

async fn view(db: &Db, auth: &Auth, user: &User) -> Result<UserEnvelope> {
    let profile =
        Profile::objects().filter(Profile::USER.eq(user.id.value())).first(db).await.or_404()?;
    Ok(UserEnvelope {
        user: UserView {
            email: user.email.clone(),
            token: auth.tokens().access_token(&user.id.value().to_string()),
            username: user.username.clone(),
            bio: profile.as_ref().map(|p| p.bio.clone()).unwrap_or_default(),
            image: profile.and_then(|p| p.image),
        },
    })
}

async fn check_unique(
    db: &Db,
    username: Option<&str>,
    email: Option<&str>,
    except: Option<i64>,
) -> Result<()> {
    let others = |q: Q| {
        let query = User::objects().filter(q);
        match except {
            Some(id) => query.exclude(User::ID.eq(id)),
            None => query,
        }
    };
    if let Some(username) = username
        && others(User::USERNAME.eq(username)).exists(db).await.or_404()?
    {
        return Err(taken("username"));
    }
    if let Some(email) = email
        && others(User::EMAIL.iexact(email)).exists(db).await.or_404()?
    {
        return Err(taken("email"));
    }
    Ok(())
}

/// Register.
#[post("/api/users", tag = "users")]
async fn register(
    db: State<Db>,
    app: AppContext,
    Json(body): Json<NewUserRequest>,
) -> Result<Created<UserEnvelope>> {
    let auth = Auth::of(&app)?;
    let new = body.user;
    check_unique(&db, Some(&new.username), Some(&new.email), None).await?;
    // The user and their profile, or neither.
    let user = db
        .atomic(|_tx| async {
            let user = auth.create_user(&new.username, &new.email, &new.password).await?;
            Profile { user: OneToOne::new(user.id.value()), bio: String::new(), image: None }
                .insert(&*db)
                .await
                .or_404()?;
            Ok::<_, quiver::Error>(user)
        })
        .await?;
    Ok(Created::new(view(&db, auth, &user).await?))
}

/// Log in with an email and a password.
#[post(
    "/api/users/login",
    tag = "users",
    error(401, "Wrong email or password"),
    error(429, "Too many failed logins: wait and retry")
)]
async fn login(
    db: State<Db>,
    app: AppContext,
    ip: ClientIp,
    Json(body): Json<LoginRequest>,
) -> Result<Json<UserEnvelope>> {
    let auth = Auth::of(&app)?;
    let found =
        User::objects().filter(User::EMAIL.iexact(&body.user.email)).first(&*db).await.or_404()?;
    let username = found.map(|u| u.username).unwrap_or_default();
    let user = auth.authenticate(&username, &body.user.password, ip.0).await?;
    Ok(Json(view(&db, auth, &user).await?))
}

/// The logged-in user.
#[get("/api/user", tag = "users")]
async fn current(
    db: State<Db>,
    app: AppContext,
    Dep(AuthUser(user)): Dep<AuthUser>,
) -> Result<Json<UserEnvelope>> {
    Ok(Json(view(&db, Auth::of(&app)?, &user).await?))
}

/// Change the logged-in user.
#[put("/api/user", tag = "users")]
async fn update(
    db: State<Db>,
    app: AppContext,
    Dep(AuthUser(mut user)): Dep<AuthUser>,
    Json(body): Json<UserChangesRequest>,
) -> Result<Json<UserEnvelope>> {
    let auth = Auth::of(&app)?;
    let changes = body.user;
    check_unique(&db, changes.username.as_deref(), changes.email.as_deref(), Some(user.id.value()))
        .await?;
    if let Some(username) = changes.username {
        user.username = username;
    }
    if let Some(email) = changes.email {
        user.email = email;
    }
    if let Some(password) = &changes.password {
        auth.set_password(&mut user, password).await?;
    }
    user.save(&*db).await.or_404()?;
    let mut profile = Profile::objects()
        .filter(Profile::USER.eq(user.id.value()))
        .first(&*db)
        .await
        .or_404()?
        .unwrap_or(Profile {
            user: OneToOne::new(user.id.value()),
            bio: String::new(),
            image: None,
        });
    if let Some(bio) = changes.bio {
        profile.bio = bio;
    }
    if let Some(image) = changes.image {
        profile.image = image.filter(|i| !i.is_empty());
    }
    profile.save(&*db).await.or_404()?;
    Ok(Json(view(&db, auth, &user).await?))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![register, login, current, update]
}
