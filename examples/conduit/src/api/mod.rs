//! The spec's endpoints under `/api`, and the views they answer with.

mod articles;
mod comments;
mod profiles;
mod users;

use std::collections::{HashMap, HashSet};

use quiver::Route;
use quiver::auth::User;
use quiver::prelude::*;

use crate::models::{Article, Favorite, Follow, Profile};
use crate::timestamp;

/// Every route of the API.
pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(users::routes());
    routes.extend(profiles::routes());
    routes.extend(articles::routes());
    routes.extend(comments::routes());
    routes
}

/// A user as others see them.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileView {
    /// Their name.
    pub username: String,
    /// A few words about them.
    pub bio: String,
    /// A picture's URL.
    pub image: Option<String>,
    /// Whether the caller follows them.
    pub following: bool,
}

/// `{"profile": ...}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ProfileEnvelope {
    /// The profile.
    pub profile: ProfileView,
}

/// An article, with its author and the caller's view of it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleView {
    /// Its URL name.
    pub slug: String,
    /// The headline.
    pub title: String,
    /// The summary.
    pub description: String,
    /// The text; left out of lists (the spec's 2024 change).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Its tags, sorted.
    pub tag_list: Vec<String>,
    /// ISO 8601 with milliseconds.
    pub created_at: String,
    /// ISO 8601 with milliseconds.
    pub updated_at: String,
    /// Whether the caller likes it.
    pub favorited: bool,
    /// How many like it.
    pub favorites_count: u64,
    /// Who wrote it.
    pub author: ProfileView,
}

/// Bios and images of `users`, and which of them `viewer` follows.
pub(crate) async fn profiles(
    db: &Db,
    viewer: Option<&User>,
    users: &[&User],
) -> Result<HashMap<i64, ProfileView>> {
    let ids: Vec<i64> = users.iter().map(|u| u.id.value()).collect();
    let found = Profile::objects().filter(Profile::USER.in_(ids.clone())).all(db).await.or_404()?;
    let followed: HashSet<i64> = match viewer {
        Some(viewer) => Follow::objects()
            .filter(Follow::FOLLOWER.eq(viewer.id.value()))
            .filter(Follow::FOLLOWED.in_(ids))
            .all(db)
            .await
            .or_404()?
            .iter()
            .map(|f| *f.followed.id())
            .collect(),
        None => HashSet::new(),
    };
    Ok(users
        .iter()
        .map(|user| {
            let id = user.id.value();
            let profile = found.iter().find(|p| *p.user.id() == id);
            let view = ProfileView {
                username: user.username.clone(),
                bio: profile.map(|p| p.bio.clone()).unwrap_or_default(),
                image: profile.and_then(|p| p.image.clone()),
                following: followed.contains(&id),
            };
            (id, view)
        })
        .collect())
}

/// Views of `articles` (loaded with their author and tags) for `viewer`: five queries
/// whatever the number of articles.
pub(crate) async fn article_views(
    db: &Db,
    viewer: Option<&User>,
    articles: Vec<Article>,
    with_body: bool,
) -> Result<Vec<ArticleView>> {
    let ids: Vec<i64> = articles.iter().map(|a| a.id.value()).collect();
    let authors: Vec<&User> = articles.iter().filter_map(|a| a.author.get()).collect();
    let profiles = profiles(db, viewer, &authors).await?;
    let favorites =
        Favorite::objects().filter(Favorite::ARTICLE.in_(ids)).all(db).await.or_404()?;
    let mut views = Vec::with_capacity(articles.len());
    for article in articles {
        let id = article.id.value();
        let mine = |f: &&Favorite| *f.article.id() == id;
        let author_id = *article.author.id();
        let author = match profiles.get(&author_id) {
            Some(view) => ProfileView {
                username: view.username.clone(),
                bio: view.bio.clone(),
                image: view.image.clone(),
                following: view.following,
            },
            None => return Err(quiver::Error::internal("an article's author was not loaded")),
        };
        let mut tag_list: Vec<String> =
            article.tags.loaded().unwrap_or_default().iter().map(|t| t.name.clone()).collect();
        tag_list.sort();
        views.push(ArticleView {
            slug: article.slug,
            title: article.title,
            description: article.description,
            body: with_body.then_some(article.body),
            tag_list,
            created_at: timestamp(&article.created_at),
            updated_at: timestamp(&article.updated_at),
            favorited: viewer.is_some_and(|v| {
                favorites.iter().filter(mine).any(|f| *f.user.id() == v.id.value())
            }),
            favorites_count: favorites.iter().filter(mine).count() as u64,
            author,
        });
    }
    Ok(views)
}
