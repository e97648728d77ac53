//! select_related, prefetch_related, reverse relations, many-to-many, one-to-one, and the
//! N+1 guard: fixed query counts.

use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, db_test};

use crate::models::*;
use crate::setup;

db_test!(select_related_loads_in_one_query, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut a = article(&ada, "one", 1);
    a.editor = Some(ForeignKey::new(ada.id.value()));
    a.insert(&*db).await?;
    article(&ada, "two", 2).insert(&*db).await?;
    let before = db.query_count();
    let rows = Article::objects()
        .select_related(Article::AUTHOR)
        .select_related(Article::EDITOR)
        .order_by([Article::TITLE.asc()])
        .all(&*db)
        .await?;
    assert_eq!(db.query_count() - before, 1);
    assert_eq!(rows[0].author.get().unwrap().name, "ada");
    assert_eq!(rows[0].editor.as_ref().unwrap().get().unwrap().name, "ada");
    assert!(rows[1].editor.is_none(), "a NULL key loads nothing");
    let plain = Article::objects().first(&*db).await?.unwrap();
    assert!(plain.author.get().is_none(), "not loaded without select_related");
    assert_eq!(plain.author.fetch(&*db).await?.name, "ada");
    Ok(())
});

db_test!(prefetch_foreign_key_and_reverse, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    author("carol").insert(&*db).await?;
    for (who, title) in [(&ada, "a1"), (&ada, "a2"), (&bob, "b1")] {
        article(who, title, 0).insert(&*db).await?;
    }
    let before = db.query_count();
    let articles = Article::objects()
        .prefetch_related(Article::AUTHOR)
        .order_by([Article::TITLE.asc()])
        .all(&*db)
        .await?;
    assert_eq!(db.query_count() - before, 2);
    let names: Vec<_> = articles.iter().map(|a| a.author.get().unwrap().name.clone()).collect();
    assert_eq!(names, ["ada", "ada", "bob"]);

    let before = db.query_count();
    let authors = Author::objects().prefetch_related(Author::ARTICLES).all(&*db).await?;
    assert_eq!(db.query_count() - before, 2);
    let counts: Vec<_> =
        authors.iter().map(|a| (a.name.as_str(), a.articles.loaded().unwrap().len())).collect();
    assert_eq!(counts, [("ada", 2), ("bob", 1), ("carol", 0)]);
    assert_eq!(ada.articles.query().count(&*db).await?, 2, "the reverse accessor queries");
    assert_eq!(authors[0].articles.query().filter(Article::TITLE.eq("a2")).count(&*db).await?, 1);
    Ok(())
});

db_test!(many_to_many, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut tags = Vec::new();
    for name in ["rust", "sql", "web"] {
        let mut tag = Tag { id: Auto::new(), name: name.into() };
        tag.insert(&*db).await?;
        tags.push(tag);
    }
    let mut a = article(&ada, "a", 0);
    a.insert(&*db).await?;
    a.tags.add(&*db, [&tags[0], &tags[1]]).await?;
    a.tags.add(&*db, [&tags[0]]).await?; // already linked: no error, no duplicate
    let names = |q: QuerySet<Tag>| {
        let db = db.db().clone();
        async move { q.order_by([Tag::NAME.asc()]).values_list(&db, Tag::NAME).await }
    };
    assert_eq!(names(a.tags.query()).await?, ["rust", "sql"]);
    a.tags.remove(&*db, [&tags[0]]).await?;
    assert_eq!(names(a.tags.query()).await?, ["sql"]);
    a.tags.set(&*db, [&tags[2], &tags[0]]).await?;
    assert_eq!(names(a.tags.query()).await?, ["rust", "web"]);
    assert_eq!(names(a.tags.query().filter(Tag::NAME.starts_with("w"))).await?, ["web"]);
    // Loaded from the database, the set is bound to its row.
    let loaded = Article::objects().get(&*db).await?;
    assert_eq!(loaded.tags.query().count(&*db).await?, 2);
    a.tags.clear(&*db).await?;
    assert_eq!(a.tags.query().count(&*db).await?, 0);
    // Deleting a tag or an article removes its links (the join table cascades).
    a.tags.add(&*db, [&tags[1]]).await?;
    tags[1].delete(&*db).await?;
    assert_eq!(a.tags.query().count(&*db).await?, 0);
    let unsaved = article(&ada, "unsaved", 0);
    let error = unsaved.tags.add(&*db, [&tags[0]]).await.unwrap_err();
    assert!(error.to_string().contains("unsaved instance"), "{error}");
    Ok(())
});

db_test!(one_to_one_is_unique, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let profile = |db: Db, id: i64| async move {
        Profile {
            id: Auto::new(),
            author: ForeignKey::new(id),
            data: serde_json::json!({}),
            token: uuid::Uuid::new_v4(),
            avatar: vec![],
            wakes_at: chrono::NaiveTime::MIN,
            level: 0,
            score: 0,
            ratio: 0.0,
            active: false,
            priority: Priority::Low,
            born: chrono::NaiveDateTime::default(),
        }
        .insert(&db)
        .await
    };
    profile(db.db().clone(), ada.id.value()).await?;
    let error = profile(db.db().clone(), ada.id.value()).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UniqueViolation { .. }), "{error:?}");
    let loaded = Profile::objects().select_related(Profile::AUTHOR).get(&*db).await?;
    assert_eq!(loaded.author.get().unwrap().name, "ada");
    Ok(())
});

db_test!(listing_fifty_articles_with_authors_and_tags_takes_three_queries, |db| async move {
    setup(&db).await?;
    let mut authors = Vec::new();
    for i in 0..10 {
        let mut a = author(&format!("author{i}"));
        a.insert(&*db).await?;
        authors.push(a);
    }
    let mut tags = Vec::new();
    for i in 0..8 {
        let mut t = Tag { id: Auto::new(), name: format!("tag{i}") };
        t.insert(&*db).await?;
        tags.push(t);
    }
    for i in 0..50 {
        let mut a = article(&authors[i % 10], &format!("article{i:02}"), i as i64);
        a.insert(&*db).await?;
        a.tags.add(&*db, [&tags[i % 8], &tags[(i + 3) % 8]]).await?;
    }

    let before = db.query_count();
    let page = Article::objects()
        .select_related(Article::AUTHOR)
        .prefetch_related(Article::TAGS)
        .order_by([Article::TITLE.asc()])
        .all(&*db)
        .await?;
    let listing: Vec<(String, String, Vec<String>)> = page
        .iter()
        .map(|a| {
            let tags = a.tags.loaded().unwrap().iter().map(|t| t.name.clone()).collect();
            (a.title.clone(), a.author.get().unwrap().name.clone(), tags)
        })
        .collect();
    assert_eq!(db.query_count() - before, 2, "one query for articles + authors, one for tags");
    assert_eq!(listing.len(), 50);
    assert_eq!(listing[7].1, "author7");
    let mut tags7 = listing[7].2.clone();
    tags7.sort();
    assert_eq!(tags7, ["tag2", "tag7"]);

    // The same page with both relations prefetched: three queries, whatever the page size.
    let before = db.query_count();
    let page = Article::objects()
        .prefetch_related(Article::AUTHOR)
        .prefetch_related(Article::TAGS)
        .all(&*db)
        .await?;
    assert!(page.iter().all(|a| a.author.get().is_some() && a.tags.loaded().unwrap().len() == 2));
    assert_eq!(db.query_count() - before, 3);
    Ok(())
});

db_test!(filters_through_many_to_many_and_reverse, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    let mut rust = Tag { id: Auto::new(), name: "rust".into() };
    rust.insert(&*db).await?;
    let mut sql = Tag { id: Auto::new(), name: "sql".into() };
    sql.insert(&*db).await?;
    let mut a1 = article(&ada, "a1", 100);
    a1.insert(&*db).await?;
    a1.tags.add(&*db, [&rust, &sql]).await?;
    let mut b1 = article(&bob, "b1", 5);
    b1.insert(&*db).await?;
    b1.tags.add(&*db, [&sql]).await?;

    let tagged_rust = Article::objects()
        .filter(Article::TAGS.any(Tag::NAME.eq("rust")))
        .values_list(&*db, Article::TITLE)
        .await?;
    assert_eq!(tagged_rust, ["a1"]);
    let tagged_any = Article::objects()
        .filter(Article::TAGS.any(Tag::NAME.in_(["rust", "sql"])))
        .count(&*db)
        .await?;
    assert_eq!(tagged_any, 2, "a row linked twice is counted once");
    let untagged = Article::objects().exclude(Article::TAGS.any(Q::all())).count(&*db).await?;
    assert_eq!(untagged, 0);
    let popular_authors = Author::objects()
        .filter(Author::ARTICLES.any(Article::VIEWS.gt(50)))
        .values_list(&*db, Author::NAME)
        .await?;
    assert_eq!(popular_authors, ["ada"]);
    let sql_writers = Author::objects()
        .filter(Author::ARTICLES.any(Article::TAGS.any(Tag::NAME.eq("sql"))))
        .values_list(&*db, Author::NAME)
        .await?;
    assert_eq!(sql_writers, ["ada", "bob"], "nested: authors of articles tagged sql");
    Ok(())
});
