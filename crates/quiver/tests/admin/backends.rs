//! The admin on every database: its migration applies after the auth app's, and adding,
//! changing, listing, bulk actions and cascading deletes work on SQLite, PostgreSQL and MariaDB
//! (typed NULLs, dates, booleans and many-to-many links included).

use quiver::admin::LogEntry;
use quiver::orm::migrations::{Target, load_embedded, migrate};

use super::*;

quiver::orm::db_test!(the_admin_works_on_every_database, |test| async move {
    let db: Db = test.db().clone();
    let mut files = load_embedded("auth", quiver::auth::MIGRATIONS.iter().copied())?;
    files.extend(load_embedded("admin", quiver::admin::MIGRATIONS.iter().copied())?);
    migrate(&db, &files, &Target::Latest, false).await?;
    quiver::orm::schema::create_tables(&db, &blog_models()).await?;
    users(&db).await;
    content(&db, 6).await;
    let client = TestClient::new(app(&db));
    assert_eq!(login(&client, "root").await, 302);

    let grace = Author::objects().filter(Author::NAME.eq("Grace Hopper")).get(&db).await?;
    let tag = Tag::objects().first(&db).await?.unwrap().id.value().to_string();
    let added = submit(
        &client,
        "/admin/blog/article/add/",
        &[
            ("title", "Everywhere"),
            ("body", "runs on three databases"),
            ("status", "draft"),
            ("author", &grace.id.value().to_string()),
            ("category", ""),
            ("published_on", "2026-11-27"),
            ("featured", "on"),
            ("tags", &tag),
        ],
    )
    .await;
    assert_eq!(added.status(), 302, "{}", html(&added));
    let article = Article::objects().filter(Article::TITLE.eq("Everywhere")).get(&db).await?;
    assert!(article.featured && article.category.is_none());
    assert_eq!(article.tags.query().count(&db).await?, 1);

    let url = format!("/admin/blog/article/{}/change/", article.id.value());
    let changed = submit(
        &client,
        &url,
        &[
            ("title", "Everywhere, changed"),
            ("body", "runs on three databases"),
            ("status", "published"),
            ("author", &grace.id.value().to_string()),
            ("published_on", ""),
        ],
    )
    .await;
    assert_eq!(changed.status(), 302, "{}", html(&changed));
    let article = Article::objects().filter(Article::ID.eq(article.id.value())).get(&db).await?;
    assert_eq!(
        (article.status, article.published_on, article.featured),
        (Status::Published, None, false)
    );
    assert_eq!(article.tags.query().count(&db).await?, 0, "an empty multi-select unlinks");

    let list = html(&client.get("/admin/blog/article/?q=grace&status__exact=published&o=-1").await);
    assert!(list.contains("Everywhere, changed"), "{list}");
    let today = Utc::now().date_naive();
    let recent = html(&client.get(&format!("/admin/blog/article/?created_at__gte={today}")).await);
    assert!(recent.contains("7 articles"), "{recent}");

    let ada = Author::objects().filter(Author::NAME.eq("Ada Lovelace")).get(&db).await?;
    let deleted = submit(
        &client,
        &format!("/admin/blog/author/{}/delete/", ada.id.value()),
        &[("post", "yes")],
    )
    .await;
    assert_eq!(deleted.status(), 302);
    assert_eq!(Article::objects().count(&db).await?, 4);
    assert_eq!(Comment::objects().count(&db).await?, 0);
    assert_eq!(LogEntry::objects().count(&db).await?, 3);
    Ok(())
});
