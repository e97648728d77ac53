//! The admin site through the facade, as a user's app installs it: a small blog registered
//! with list columns, search, filters, an action and read-only fields.

#![allow(missing_docs)] // Test fixtures: the models read like a user's, without docs on every field.

mod backends;
mod browser;
mod pages;

use quiver::admin::AdminSite;
use quiver::auth::password::PasswordHasher;
use quiver::auth::{Auth, LoginThrottle, User};
use quiver::deps::chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use quiver::orm::choices;
use quiver::prelude::*;
use quiver::testing::TestResponse;

/// The test users' password.
pub const PASSWORD: &str = "analytical-engine-1843";

/// A writer.
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "blog_author", ordering = ["name"])]
pub struct Author {
    pub id: Auto<i64>,
    #[field(max_length = 100, unique)]
    pub name: String,
    #[field(max_length = 254, default = "")]
    pub email: String,
}

/// A label.
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "blog_tag", ordering = ["name"])]
pub struct Tag {
    pub id: Auto<i64>,
    #[field(max_length = 50, unique)]
    pub name: String,
}

/// A section that articles must leave before it can go.
#[derive(Model, Debug, Clone, Serialize)]
#[model(
    table = "blog_category",
    verbose_name_plural = "categories",
    check(name = "blog_category_calm", sql = "name NOT LIKE '%!%'")
)]
pub struct Category {
    pub id: Auto<i64>,
    #[field(max_length = 50)]
    pub name: String,
}

/// Where an article is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Status {
    Draft,
    Published,
}
choices!(Status as text { Draft = "draft", Published = "published" });

/// A blog post.
#[derive(Model, Debug, Clone, Serialize, Validate)]
#[model(table = "blog_article", ordering = ["-id"])]
pub struct Article {
    pub id: Auto<i64>,
    /// At least three characters.
    #[field(max_length = 200)]
    #[validate(length(min = 3, message = "a title has at least 3 characters"))]
    pub title: String,
    pub body: String,
    pub status: Status,
    #[field(on_delete = cascade)]
    pub author: ForeignKey<Author>,
    #[field(on_delete = protect)]
    pub category: Option<ForeignKey<Category>>,
    #[field(default = false)]
    pub featured: bool,
    pub published_on: Option<NaiveDate>,
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
    #[serde(skip)]
    pub tags: ManyToMany<Tag>,
}

/// A reader's remark; goes with its article.
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "blog_comment")]
pub struct Comment {
    pub id: Auto<i64>,
    #[field(on_delete = cascade)]
    pub article: ForeignKey<Article>,
    pub body: String,
}

/// A file kept in the database, with JSON settings: the upload and JSON editor inputs.
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "blog_document")]
pub struct Document {
    pub id: Auto<i64>,
    #[field(max_length = 100)]
    pub title: String,
    pub file: Vec<u8>,
    pub settings: serde_json::Value,
    pub reminder: Option<NaiveTime>,
}

/// The bulk action: publishes the selected articles.
pub async fn publish(db: Db, articles: Vec<Article>) -> quiver::orm::Result<String> {
    let ids: Vec<i64> = articles.iter().map(|a| a.id.value()).collect();
    let n = Article::objects()
        .filter(Article::ID.in_(ids))
        .update()
        .set(Article::STATUS, Status::Published)
        .execute(&db)
        .await?;
    Ok(format!("{n} articles published."))
}

/// The blog's admin site.
pub fn site() -> AdminSite {
    AdminSite::new()
        .register::<Author>(|a| a.list_display(["name", "email"]).search_fields(["name", "email"]))
        .model::<Tag>()
        .model::<Category>()
        .register::<Article>(|a| {
            a.list_display(["title", "author", "status", "featured", "created_at"])
                .column("words", "Words", |a: &Article| {
                    a.body.split_whitespace().count().to_string()
                })
                .search_fields(["title", "author__name"])
                .list_filter(["status", "featured", "author", "created_at"])
                .readonly_fields(["created_at"])
                .action("publish", "Publish selected articles", publish)
        })
        .register::<Comment>(|c| c.list_display(["id", "article", "body"]).autocomplete_over(0))
        .model::<Document>()
}

/// The blog's models.
pub fn blog_models() -> Vec<&'static quiver::orm::ModelMeta> {
    vec![
        Author::meta(),
        Tag::meta(),
        Category::meta(),
        Article::meta(),
        Comment::meta(),
        Document::meta(),
    ]
}

/// Every model's table.
pub fn models() -> Vec<&'static quiver::orm::ModelMeta> {
    let mut models = quiver::auth::models();
    models.extend(quiver::admin::models());
    models.extend(blog_models());
    models
}

/// A database (in memory unless `url` says otherwise) with every table.
pub async fn database(url: &str) -> Db {
    let db = Db::connect(url).await.unwrap();
    quiver::orm::schema::create_tables(&db, &models()).await.unwrap();
    db
}

/// Auth with a fast hasher (tests only) and no throttling delay.
pub fn auth(db: &Db) -> Auth {
    Auth::new(db, [7u8; 32])
        .hasher(PasswordHasher::argon2id(8 * 1024, 1, 1))
        .login_throttle(LoginThrottle::default().without_delay())
}

/// The app: the database, auth and the admin site.
pub fn app(db: &Db) -> App {
    App::new().state(db.clone()).auth(auth(db)).admin(site())
}

/// Users: `root` (superuser), `editor` (staff, no permissions yet), `reader` (not staff).
pub async fn users(db: &Db) -> (User, User, User) {
    let auth = auth(db);
    let root = auth.create_superuser("root", "root@example.com", PASSWORD).await.unwrap();
    let mut editor = auth.create_user("editor", "editor@example.com", PASSWORD).await.unwrap();
    editor.is_staff = true;
    editor.save(db).await.unwrap();
    let reader = auth.create_user("reader", "reader@example.com", PASSWORD).await.unwrap();
    (root, editor, reader)
}

/// Demo content: authors Ada and Grace, tags, a category, `n` articles (every third one
/// published, Ada's when even) and a comment on the first.
pub async fn content(db: &Db, n: usize) {
    let ada =
        Author::create_from_values(db, vec![("name".into(), "Ada Lovelace".into())]).await.unwrap();
    let grace =
        Author::create_from_values(db, vec![("name".into(), "Grace Hopper".into())]).await.unwrap();
    for name in ["rust", "databases"] {
        Tag::create_from_values(db, vec![("name".into(), name.into())]).await.unwrap();
    }
    Category::create_from_values(db, vec![("name".into(), "Essays".into())]).await.unwrap();
    let mut articles = Vec::new();
    for i in 0..n {
        let author = if i % 2 == 0 { &ada } else { &grace };
        articles.push(Article {
            id: Auto::new(),
            title: format!("Article {i:03}"),
            body: "one two three".into(),
            status: if i % 3 == 0 { Status::Published } else { Status::Draft },
            author: ForeignKey::new(author.id.value()),
            category: None,
            featured: i == 1,
            published_on: None,
            created_at: Utc::now(),
            tags: ManyToMany::new(),
        });
    }
    Article::bulk_create(db, articles).await.unwrap();
    // Read back: MySQL does not report the keys of a bulk insert.
    let first = Article::objects().order_by([Article::ID.asc()]).first(db).await.unwrap();
    if let Some(first) = first {
        Comment::create_from_values(
            db,
            vec![("article".into(), first.id.value().into()), ("body".into(), "Nice".into())],
        )
        .await
        .unwrap();
    }
}

/// A page's HTML with the entities the templates write for `/`, quotes and `&` undone, so
/// tests can look for URLs and sentences as people read them.
pub fn html(response: &TestResponse) -> String {
    response
        .text()
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The CSRF token of the first form on `html`.
pub fn csrf(html: &str) -> String {
    let re = regex::Regex::new(r#"name="csrfmiddlewaretoken" value="([^"]+)""#).unwrap();
    re.captures(html).expect("the page has a form with a CSRF token")[1].to_owned()
}

/// Logs `username` in through the admin's login form; the answer's status.
pub async fn login(client: &TestClient, username: &str) -> u16 {
    login_to(client, username, "/admin/").await.status().as_u16()
}

/// Logs `username` in asking to go to `next` afterwards; the answer.
pub async fn login_to(client: &TestClient, username: &str, next: &str) -> TestResponse {
    let fields = [("username", username), ("password", PASSWORD), ("next", next)];
    submit(client, "/admin/login/", &fields).await
}

/// Posts `fields` to the form on `page_url`, with that page's CSRF token.
pub async fn submit(client: &TestClient, page_url: &str, fields: &[(&str, &str)]) -> TestResponse {
    let page = client.get(page_url).await.text();
    let token = csrf(&page);
    let mut form: Vec<(&str, &str)> = vec![("csrfmiddlewaretoken", token.as_str())];
    form.extend_from_slice(fields);
    client.post(page_url).form(&form).await
}
