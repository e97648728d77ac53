//! Articles: lists with filters and pagination, the feed, one article, writing, favourites.

use quiver::Route;
use quiver::auth::User;
use quiver::prelude::*;

use super::{ArticleView, article_views};
use crate::auth::{AuthUser, MaybeUser};
use crate::models::{Article, Favorite, Follow, Tag};
use crate::slugify;

/// `{"article": ...}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ArticleEnvelope {
    /// The article.
    pub article: ArticleView,
}

/// `{"articles": [...], "articlesCount": N}`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ArticleList {
    /// One page, newest first.
    pub articles: Vec<ArticleView>,
    /// How many match, all pages together.
    pub articles_count: u64,
}

/// The list's filters and page.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct ListQuery {
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only this user's articles.
    pub author: Option<String>,
    /// Only articles this user likes.
    pub favorited: Option<String>,
    /// Page size (default 20).
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<u64>,
    /// How many to skip.
    #[validate(range(max = 1_000_000_000))]
    pub offset: Option<u64>,
}

/// A page of the feed.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct PageQuery {
    /// Page size (default 20).
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<u64>,
    /// How many to skip.
    #[validate(range(max = 1_000_000_000))]
    pub offset: Option<u64>,
}

/// A new article.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct NewArticle {
    /// The headline.
    #[validate(length(min = 1, max = 255, message = "can't be empty"))]
    pub title: String,
    /// The summary.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub description: String,
    /// The text.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub body: String,
    /// Tags, made when new (each at most 100 characters).
    #[serde(default)]
    #[validate(custom(function = "short_tags"))]
    pub tag_list: Vec<String>,
}

/// `{"article": {...}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewArticleRequest {
    /// The article.
    #[validate(nested)]
    pub article: NewArticle,
}

/// Changes to an article; a new title gives a new slug.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct ArticleChanges {
    /// A new headline.
    #[validate(length(min = 1, max = 255, message = "can't be empty"))]
    pub title: Option<String>,
    /// A new summary.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub description: Option<String>,
    /// A new text.
    #[validate(length(min = 1, message = "can't be empty"))]
    pub body: Option<String>,
}

/// `{"article": {...}}`.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct ArticleChangesRequest {
    /// The changes.
    #[validate(nested)]
    pub article: ArticleChanges,
}

fn short_tags(tags: &[String]) -> Result<(), validator::ValidationError> {
    if tags.iter().any(|t| t.chars().count() > 100) {
        return Err(validator::ValidationError::new("tag_length")
            .with_message("has a tag longer than 100 characters".into()));
    }
    Ok(())
}

fn page(limit: Option<u64>, offset: Option<u64>) -> std::ops::Range<u64> {
    let (limit, offset) = (limit.unwrap_or(20), offset.unwrap_or(0));
    offset..offset + limit
}

async fn list(
    db: &Db,
    viewer: Option<&User>,
    query: QuerySet<Article>,
    range: std::ops::Range<u64>,
) -> Result<ArticleList> {
    let articles_count = query.count(db).await.or_404()?;
    let articles = query
        .select_related(Article::AUTHOR)
        .prefetch_related(Article::TAGS)
        .slice(range)
        .all(db)
        .await
        .or_404()?;
    Ok(ArticleList { articles: article_views(db, viewer, articles, false).await?, articles_count })
}

/// Articles, newest first, filtered by tag, author or a user's favourites.
#[get("/api/articles", tag = "articles")]
async fn articles(
    db: State<Db>,
    Query(query): Query<ListQuery>,
    Dep(MaybeUser(viewer)): Dep<MaybeUser>,
) -> Result<Json<ArticleList>> {
    let mut set = Article::objects();
    if let Some(tag) = &query.tag {
        set = set.filter(Article::TAGS.any(Tag::NAME.eq(tag.as_str())));
    }
    if let Some(author) = &query.author {
        set = set.filter(Article::AUTHOR.then(User::USERNAME).eq(author.as_str()));
    }
    if let Some(fan) = &query.favorited {
        let liked: Vec<i64> = Favorite::objects()
            .filter(Favorite::USER.then(User::USERNAME).eq(fan.as_str()))
            .all(&*db)
            .await
            .or_404()?
            .iter()
            .map(|f| *f.article.id())
            .collect();
        set = set.filter(Article::ID.in_(liked));
    }
    Ok(Json(list(&db, viewer.as_ref(), set, page(query.limit, query.offset)).await?))
}

/// Articles by the users the caller follows, newest first.
#[get("/api/articles/feed", tag = "articles")]
async fn feed(
    db: State<Db>,
    Query(query): Query<PageQuery>,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<Json<ArticleList>> {
    let followed: Vec<i64> = Follow::objects()
        .filter(Follow::FOLLOWER.eq(me.id.value()))
        .all(&*db)
        .await
        .or_404()?
        .iter()
        .map(|f| *f.followed.id())
        .collect();
    let set = Article::objects().filter(Article::AUTHOR.in_(followed));
    Ok(Json(list(&db, Some(&me), set, page(query.limit, query.offset)).await?))
}

pub(crate) async fn by_slug(db: &Db, slug: &str) -> Result<Article> {
    Article::objects()
        .filter(Article::SLUG.eq(slug))
        .select_related(Article::AUTHOR)
        .prefetch_related(Article::TAGS)
        .get(db)
        .await
        .or_404()
}

async fn one(db: &Db, viewer: Option<&User>, slug: &str) -> Result<ArticleEnvelope> {
    let article = by_slug(db, slug).await?;
    let article = article_views(db, viewer, vec![article], true).await?.remove(0);
    Ok(ArticleEnvelope { article })
}

/// A free slug for `title`: the title's, or with a short suffix when another article has it.
async fn free_slug(db: &Db, title: &str, except: Option<i64>) -> Result<String> {
    // Room for a suffix within the column's 255 characters.
    let base: String = slugify(title).chars().take(240).collect();
    let base = base.trim_end_matches('-').to_owned();
    let mut slug = base.clone();
    loop {
        let mut others = Article::objects().filter(Article::SLUG.eq(slug.as_str()));
        if let Some(id) = except {
            others = others.exclude(Article::ID.eq(id));
        }
        if !others.exists(db).await.or_404()? {
            return Ok(slug);
        }
        slug = format!("{base}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    }
}

/// One article.
#[get("/api/articles/{slug}", tag = "articles", error(404, "Article not found"))]
async fn article(
    db: State<Db>,
    #[path] slug: String,
    Dep(MaybeUser(viewer)): Dep<MaybeUser>,
) -> Result<Json<ArticleEnvelope>> {
    Ok(Json(one(&db, viewer.as_ref(), &slug).await?))
}

/// Write an article.
#[post("/api/articles", tag = "articles")]
async fn create(
    db: State<Db>,
    Dep(AuthUser(me)): Dep<AuthUser>,
    Json(body): Json<NewArticleRequest>,
) -> Result<Created<ArticleEnvelope>> {
    let new = body.article;
    let slug = free_slug(&db, &new.title, None).await?;
    let me_id = me.id.value();
    let article = db
        .atomic(|tx| async move {
            let now = quiver::deps::chrono::Utc::now();
            let mut article = Article {
                id: Auto::new(),
                slug,
                title: new.title,
                description: new.description,
                body: new.body,
                author: ForeignKey::new(me_id),
                created_at: now,
                updated_at: now,
                tags: ManyToMany::new(),
            };
            article.insert(&tx).await?;
            let mut tags = Vec::new();
            for name in new.tag_list.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
                let (tag, _) = Tag::get_or_create(&tx, Tag::NAME.eq(name), || Tag {
                    id: Auto::new(),
                    name: name.to_owned(),
                })
                .await?;
                tags.push(tag);
            }
            article.tags.add(&tx, &tags).await?;
            Ok(article)
        })
        .await
        .or_404()?;
    Ok(Created::new(one(&db, Some(&me), &article.slug).await?))
}

/// The article if `me` wrote it: 404 when missing, 403 when someone else's.
pub(crate) async fn own(db: &Db, me: &User, slug: &str) -> Result<Article> {
    let article = by_slug(db, slug).await?;
    if *article.author.id() != me.id.value() {
        return Err(HttpError::forbidden("only the author may change this article").into());
    }
    Ok(article)
}

/// Change an article (its author only).
#[put(
    "/api/articles/{slug}",
    tag = "articles",
    error(403, "Not the author"),
    error(404, "Article not found")
)]
async fn update(
    db: State<Db>,
    #[path] slug: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
    Json(body): Json<ArticleChangesRequest>,
) -> Result<Json<ArticleEnvelope>> {
    let mut article = own(&db, &me, &slug).await?;
    let changes = body.article;
    if let Some(title) = changes.title {
        if title != article.title {
            article.slug = free_slug(&db, &title, Some(article.id.value())).await?;
        }
        article.title = title;
    }
    if let Some(description) = changes.description {
        article.description = description;
    }
    if let Some(body) = changes.body {
        article.body = body;
    }
    article.save(&*db).await.or_404()?;
    Ok(Json(one(&db, Some(&me), &article.slug).await?))
}

/// Delete an article (its author only); its comments and favourites go with it.
#[delete(
    "/api/articles/{slug}",
    tag = "articles",
    error(403, "Not the author"),
    error(404, "Article not found")
)]
async fn remove(
    db: State<Db>,
    #[path] slug: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<NoContent> {
    own(&db, &me, &slug).await?.delete(&*db).await.or_404()?;
    Ok(NoContent)
}

/// Like an article.
#[post("/api/articles/{slug}/favorite", tag = "favorites", error(404, "Article not found"))]
async fn favorite(
    db: State<Db>,
    #[path] slug: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<Json<ArticleEnvelope>> {
    let article = by_slug(&db, &slug).await?;
    let pair = Favorite::USER.eq(me.id.value()) & Favorite::ARTICLE.eq(article.id.value());
    Favorite::get_or_create(&*db, pair, || Favorite {
        id: Auto::new(),
        user: ForeignKey::new(me.id.value()),
        article: ForeignKey::new(article.id.value()),
    })
    .await
    .or_404()?;
    Ok(Json(one(&db, Some(&me), &slug).await?))
}

/// Stop liking an article.
#[delete("/api/articles/{slug}/favorite", tag = "favorites", error(404, "Article not found"))]
async fn unfavorite(
    db: State<Db>,
    #[path] slug: String,
    Dep(AuthUser(me)): Dep<AuthUser>,
) -> Result<Json<ArticleEnvelope>> {
    let article = by_slug(&db, &slug).await?;
    Favorite::objects()
        .filter(Favorite::USER.eq(me.id.value()))
        .filter(Favorite::ARTICLE.eq(article.id.value()))
        .delete(&*db)
        .await
        .or_404()?;
    Ok(Json(one(&db, Some(&me), &slug).await?))
}

/// `{"tags": [...]}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TagList {
    /// Every tag, by name.
    pub tags: Vec<String>,
}

/// Every tag.
#[get("/api/tags", tag = "tags")]
async fn tags(db: State<Db>) -> Result<Json<TagList>> {
    let tags = Tag::objects().values_list(&*db, Tag::NAME).await.or_404()?;
    Ok(Json(TagList { tags }))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![articles, feed, article, create, update, remove, favorite, unfavorite, tags]
}
