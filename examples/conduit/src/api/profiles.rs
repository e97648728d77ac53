//! Profiles, following and unfollowing.

use quiver::Route;
use quiver::auth::User;
use quiver::prelude::*;

use super::{ProfileEnvelope, profiles};
use crate::auth::{AuthUser, MaybeUser};
use crate::models::Follow;

async fn user_named(db: &Db, username: &str) -> Result<User> {
    User::objects().filter(User::USERNAME.eq(username)).get(db).await.or_404()
}

async fn envelope(db: &Db, viewer: Option<&User>, user: &User) -> Result<ProfileEnvelope> {
    let mut views = profiles(db, viewer, &[user]).await?;
    let profile = views.remove(&user.id.value()).expect("the user was asked for");
    Ok(ProfileEnvelope { profile })
}

/// A user's profile.
#[get("/api/profiles/{username}", tag = "profiles", error(404, "User not found"))]
async fn profile(
    db: State<Db>,
    #[path] username: String,
    Dep(MaybeUser(viewer)): Dep<MaybeUser>,
) -> Result<Json<ProfileEnvelope>> {
    let user = user_named(&db, &username).await?;
    Ok(Json(envelope(&db, viewer.as_ref(), &user).await?))
}

/// Follow a user.
#[post("/api/profiles/{username}/follow", tag = "profiles", error(404, "User not found"))]
async fn follow(
    db: State<Db>,
    #[path] username: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<Json<ProfileEnvelope>> {
    let user = user_named(&db, &username).await?;
    if user.id.value() != me.id.value() {
        let pair = Follow::FOLLOWER.eq(me.id.value()) & Follow::FOLLOWED.eq(user.id.value());
        Follow::get_or_create(&*db, pair, || Follow {
            id: Auto::new(),
            follower: ForeignKey::new(me.id.value()),
            followed: ForeignKey::new(user.id.value()),
        })
        .await
        .or_404()?;
    }
    Ok(Json(envelope(&db, Some(&me), &user).await?))
}

/// Stop following a user.
#[delete("/api/profiles/{username}/follow", tag = "profiles", error(404, "User not found"))]
async fn unfollow(
    db: State<Db>,
    #[path] username: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<Json<ProfileEnvelope>> {
    let user = user_named(&db, &username).await?;
    Follow::objects()
        .filter(Follow::FOLLOWER.eq(me.id.value()))
        .filter(Follow::FOLLOWED.eq(user.id.value()))
        .delete(&*db)
        .await
        .or_404()?;
    Ok(Json(envelope(&db, Some(&me), &user).await?))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![profile, follow, unfollow]
}
