//! Comments under an article.

use quiver::Route;
use quiver::auth::User;
use quiver::prelude::*;

use super::{ProfileView, profiles};
use crate::auth::{AuthUser, MaybeUser};
use crate::models::Comment;
use crate::timestamp;

/// A comment.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentView {
    /// Its key.
    pub id: i64,
    /// ISO 8601 with milliseconds.
    pub created_at: String,
    /// ISO 8601 with milliseconds.
    pub updated_at: String,
    /// The text.
    pub body: String,
    /// Who wrote it.
    pub author: ProfileView,
}

/// `{"comment": ...}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommentEnvelope {
    /// The comment.
    pub comment: CommentView,
}

/// `{"comments": [...]}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CommentList {
    /// Newest first.
    pub comments: Vec<CommentView>,
}

/// A new comment.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewComment {
    /// The text.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub body: String,
}

/// `{"comment": {"body": ...}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewCommentRequest {
    /// The comment.
    #[validate(nested)]
    pub comment: NewComment,
}

async fn views(db: &Db, viewer: Option<&User>, comments: Vec<Comment>) -> Result<Vec<CommentView>> {
    let authors: Vec<&User> = comments.iter().filter_map(|c| c.author.get()).collect();
    let profiles = profiles(db, viewer, &authors).await?;
    comments
        .iter()
        .map(|comment| {
            let author = profiles
                .get(comment.author.id())
                .ok_or_else(|| quiver::Error::internal("a comment's author was not loaded"))?;
            Ok(CommentView {
                id: comment.id.value(),
                created_at: timestamp(&comment.created_at),
                updated_at: timestamp(&comment.updated_at),
                body: comment.body.clone(),
                author: ProfileView {
                    username: author.username.clone(),
                    bio: author.bio.clone(),
                    image: author.image.clone(),
                    following: author.following,
                },
            })
        })
        .collect()
}

/// An article's comments, newest first.
#[get("/api/articles/{slug}/comments", tag = "comments", error(404, "Article not found"))]
async fn comments(
    db: State<Db>,
    #[path] slug: String,
    Dep(MaybeUser(viewer)): Dep<MaybeUser>,
) -> Result<Json<CommentList>> {
    let article = super::articles::by_slug(&db, &slug).await?;
    let found = Comment::objects()
        .filter(Comment::ARTICLE.eq(article.id.value()))
        .select_related(Comment::AUTHOR)
        .all(&*db)
        .await
        .or_404()?;
    Ok(Json(CommentList { comments: views(&db, viewer.as_ref(), found).await? }))
}

/// Comment on an article.
#[post("/api/articles/{slug}/comments", tag = "comments", error(404, "Article not found"))]
async fn add(
    db: State<Db>,
    #[path] slug: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
    Json(body): Json<NewCommentRequest>,
) -> Result<Json<CommentEnvelope>> {
    let article = super::articles::by_slug(&db, &slug).await?;
    let now = quiver::deps::chrono::Utc::now();
    let mut comment = Comment {
        id: Auto::new(),
        article: ForeignKey::new(article.id.value()),
        author: ForeignKey::new(me.id.value()),
        body: body.comment.body,
        created_at: now,
        updated_at: now,
    };
    comment.insert(&*db).await.or_404()?;
    let comment = Comment::objects()
        .filter(Comment::ID.eq(comment.id.value()))
        .select_related(Comment::AUTHOR)
        .get(&*db)
        .await
        .or_404()?;
    let comment = views(&db, Some(&me), vec![comment]).await?.remove(0);
    Ok(Json(CommentEnvelope { comment }))
}

/// Delete a comment (its author only).
#[delete(
    "/api/articles/{slug}/comments/{id}",
    tag = "comments",
    error(403, "Not the author"),
    error(404, "Comment not found")
)]
async fn remove(
    db: State<Db>,
    #[path] slug: String,
    #[path] id: i64,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<NoContent> {
    let article = super::articles::by_slug(&db, &slug).await?;
    let comment = Comment::objects()
        .filter(Comment::ID.eq(id))
        .filter(Comment::ARTICLE.eq(article.id.value()))
        .get(&*db)
        .await
        .or_404()?;
    if *comment.author.id() != me.id.value() {
        return Err(HttpError::forbidden("only the author may delete this comment").into());
    }
    comment.delete(&*db).await.or_404()?;
    Ok(NoContent)
}

pub(crate) fn routes() -> Vec<Route> {
    routes![comments, add, remove]
}
