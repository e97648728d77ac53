//! Update, delete with on_delete, bulk writes, get_or_create, update_or_create.

use quiver_orm::prelude::*;
use quiver_orm::{Backend, ErrorKind, db_test};

use crate::models::*;
use crate::setup;

db_test!(update_values_and_expressions, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for (title, views) in [("a", 1), ("b", 2), ("c", 3)] {
        article(&ada, title, views).insert(&*db).await?;
    }
    let changed = Article::objects()
        .filter(Article::VIEWS.gte(2))
        .update()
        .set_expr(Article::VIEWS, F(Article::VIEWS) + 10)
        .execute(&*db)
        .await?;
    assert_eq!(changed, 2);
    let views = Article::objects()
        .order_by([Article::TITLE.asc()])
        .values_list(&*db, Article::VIEWS)
        .await?;
    assert_eq!(views, [1, 12, 13]);
    let changed = Article::objects()
        .update()
        .set(Article::LIKES, 7)
        .set_expr(Article::RATING, F(Article::VIEWS) * 2)
        .execute(&*db)
        .await?;
    assert_eq!(changed, 3);
    let ratings = Article::objects()
        .order_by([Article::TITLE.asc()])
        .values_list(&*db, Article::RATING)
        .await?;
    assert_eq!(ratings, [2.0, 24.0, 26.0]);
    Ok(())
});

db_test!(update_and_delete_through_joins_and_slices, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    for (who, title, views) in [(&ada, "a1", 1), (&ada, "a2", 2), (&bob, "b1", 3), (&bob, "b2", 4)]
    {
        article(who, title, views).insert(&*db).await?;
    }
    let changed = Article::objects()
        .filter(Q::path("author__name", "bob"))
        .update()
        .set(Article::LIKES, 1)
        .execute(&*db)
        .await?;
    assert_eq!(changed, 2);
    assert_eq!(Article::objects().filter(Article::LIKES.eq(1)).count(&*db).await?, 2);
    let deleted =
        Article::objects().order_by([Article::VIEWS.desc()]).slice(0..1).delete(&*db).await?;
    assert_eq!(deleted, 1, "a slice limits the delete");
    let deleted = Article::objects()
        .filter(Article::AUTHOR.then(Author::NAME).eq("ada"))
        .delete(&*db)
        .await?;
    assert_eq!(deleted, 2);
    assert_eq!(Article::objects().values_list(&*db, Article::TITLE).await?, ["b1"]);
    Ok(())
});

db_test!(on_delete_cascade_and_set_null, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    let mut a = article(&ada, "by ada, edited by bob", 1);
    a.editor = Some(ForeignKey::new(bob.id.value()));
    a.insert(&*db).await?;
    article(&bob, "by bob", 1).insert(&*db).await?;
    bob.delete(&*db).await?;
    let left = Article::objects().all(&*db).await?;
    assert_eq!(left.len(), 1, "bob's article cascaded away");
    assert!(left[0].editor.is_none(), "the editor was set to NULL");
    Ok(())
});

db_test!(on_delete_protect_and_restrict_refuse, |db| async move {
    setup(&db).await?;
    let mut books = Category { code: "books".into(), name: "Books".into() };
    books.insert(&*db).await?;
    let mut pens = Category { code: "pens".into(), name: "Pens".into() };
    pens.insert(&*db).await?;
    Item { id: Auto::new(), category: ForeignKey::new("books") }.insert(&*db).await?;
    Note { id: Auto::new(), category: ForeignKey::new("pens") }.insert(&*db).await?;
    let error = books.delete(&*db).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::ForeignKeyViolation { .. }), "protect: {error:?}");
    let error = pens.delete(&*db).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::ForeignKeyViolation { .. }), "restrict: {error:?}");
    assert_eq!(Category::objects().count(&*db).await?, 2, "nothing was deleted");
    let error =
        Item { id: Auto::new(), category: ForeignKey::new("nope") }.insert(&*db).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::ForeignKeyViolation { .. }),
        "dangling key: {error:?}"
    );
    Ok(())
});

db_test!(bulk_create_and_bulk_update, |db| async move {
    setup(&db).await?;
    let tags: Vec<Tag> =
        (0..250).map(|i| Tag { id: Auto::new(), name: format!("tag{i:03}") }).collect();
    let created = Tag::bulk_create(&*db, tags).await?;
    assert_eq!(Tag::objects().count(&*db).await?, 250);
    if db.backend() == Backend::MySql {
        assert!(
            created.iter().all(|t| !t.id.is_set()),
            "MySQL reports no keys for multi-row inserts"
        );
    } else {
        assert!(
            created.windows(2).all(|w| w[0].id.value() < w[1].id.value()),
            "keys filled in order"
        );
    }
    let mut tags = Tag::objects().order_by([Tag::NAME.asc()]).slice(..3).all(&*db).await?;
    for tag in &mut tags {
        tag.name = tag.name.to_uppercase();
    }
    assert_eq!(Tag::bulk_update(&*db, &tags, &["name"]).await?, 3);
    let upper = Tag::objects()
        .filter(Tag::NAME.starts_with("TAG"))
        .order_by([Tag::NAME.asc()])
        .values_list(&*db, Tag::NAME)
        .await?;
    assert_eq!(upper, ["TAG000", "TAG001", "TAG002"]);
    let error = Tag::bulk_update(&*db, &tags, &["nmae"]).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UnknownField { .. }));
    Ok(())
});

db_test!(get_or_create_and_update_or_create, |db| async move {
    setup(&db).await?;
    let (ada, created) =
        Author::get_or_create(&*db, Author::NAME.eq("ada"), || author("ada")).await?;
    assert!(created);
    let (again, created) =
        Author::get_or_create(&*db, Author::NAME.eq("ada"), || author("ada")).await?;
    assert!(!created);
    assert_eq!(again.id, ada.id);
    let (bob, created) = Author::update_or_create(
        &*db,
        Author::NAME.eq("bob"),
        |a| a.email = Some("new@x".into()),
        || Author { email: Some("first@x".into()), ..author("bob") },
    )
    .await?;
    assert!(created);
    assert_eq!(bob.email.as_deref(), Some("first@x"));
    let (bob, created) = db
        .atomic(|tx| async move {
            Author::update_or_create(
                &tx,
                Author::NAME.eq("bob"),
                |a| a.email = Some("new@x".into()),
                || author("bob"),
            )
            .await
        })
        .await?;
    assert!(!created);
    assert_eq!(bob.email.as_deref(), Some("new@x"));
    assert_eq!(Author::objects().count(&*db).await?, 2);
    Ok(())
});

db_test!(paths_are_refused_where_only_own_fields_make_sense, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    article(&ada, "a", 1).insert(&*db).await?;
    let error = Article::objects()
        .update()
        .set(Article::AUTHOR.then(Author::ID), 5)
        .execute(&*db)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("fields of the model itself"), "{error}");
    assert_eq!(Article::objects().get(&*db).await?.author.id(), &ada.id.value(), "nothing changed");
    Ok(())
});
