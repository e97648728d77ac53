//! Conduit's tables. Users are the auth app's; a profile adds the bio and the image.

use quiver::auth::User;
use quiver::deps::chrono::{DateTime, Utc};
use quiver::orm::ModelMeta;
use quiver::prelude::*;

/// A user's public face: the bio and the picture shown next to their articles.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_profile")]
pub struct Profile {
    /// Whose profile this is.
    #[field(primary_key, on_delete = cascade)]
    pub user: OneToOne<User>,
    /// A few words about them.
    #[field(default = "")]
    pub bio: String,
    /// A picture's URL.
    pub image: Option<String>,
}

/// `follower` reads `followed`'s articles in their feed.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_follow", unique_together = [["follower", "followed"]])]
pub struct Follow {
    /// The key.
    pub id: Auto<i64>,
    /// Who follows.
    #[field(on_delete = cascade, related_name = "following")]
    pub follower: ForeignKey<User>,
    /// Who is followed.
    #[field(on_delete = cascade, related_name = "followers")]
    pub followed: ForeignKey<User>,
}

/// A topic articles are filed under.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_tag", ordering = ["name"])]
pub struct Tag {
    /// The key.
    pub id: Auto<i64>,
    /// The tag as written (`dragons`).
    #[field(max_length = 100, unique)]
    pub name: String,
}

/// A post.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_article", ordering = ["-created_at", "-id"])]
pub struct Article {
    /// The key.
    pub id: Auto<i64>,
    /// The URL name, from the title; it changes with the title.
    #[field(max_length = 255, unique)]
    pub slug: String,
    /// The headline.
    #[field(max_length = 255)]
    pub title: String,
    /// The summary shown in lists.
    pub description: String,
    /// The text (Markdown).
    pub body: String,
    /// Who wrote it; their articles go with them.
    #[field(on_delete = cascade)]
    pub author: ForeignKey<User>,
    /// When it was written.
    #[field(auto_now_add, index)]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[field(auto_now)]
    pub updated_at: DateTime<Utc>,
    /// Its topics.
    pub tags: ManyToMany<Tag>,
}

/// `user` likes `article`.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_favorite", unique_together = [["user", "article"]])]
pub struct Favorite {
    /// The key.
    pub id: Auto<i64>,
    /// Who likes it.
    #[field(on_delete = cascade)]
    pub user: ForeignKey<User>,
    /// What they like; the favourites go with the article.
    #[field(on_delete = cascade)]
    pub article: ForeignKey<Article>,
}

/// A reader's remark under an article.
#[derive(Model, Debug, Clone)]
#[model(table = "conduit_comment", ordering = ["-created_at", "-id"])]
pub struct Comment {
    /// The key.
    pub id: Auto<i64>,
    /// The article; comments go with it.
    #[field(on_delete = cascade)]
    pub article: ForeignKey<Article>,
    /// Who wrote it.
    #[field(on_delete = cascade)]
    pub author: ForeignKey<User>,
    /// The text.
    pub body: String,
    /// When it was written.
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[field(auto_now)]
    pub updated_at: DateTime<Utc>,
}

/// Conduit's models, for `migrate` and `makemigrations`.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![
        Profile::meta(),
        Follow::meta(),
        Tag::meta(),
        Article::meta(),
        Favorite::meta(),
        Comment::meta(),
    ]
}
