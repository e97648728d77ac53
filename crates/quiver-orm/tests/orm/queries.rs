//! Ordering, slicing, counting, values, aggregates, streaming, explain.

use futures_util::StreamExt;
use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, db_test};

use crate::models::*;
use crate::setup;

/// ada: 3 articles (views 10, 20, 30), bob: 2 (views 5, 50); published_on set on two.
async fn data(db: &Db) -> quiver_orm::Result<(Author, Author)> {
    let mut ada = author("ada");
    ada.insert(db).await?;
    let mut bob = author("bob");
    bob.insert(db).await?;
    for (who, title, views, rating) in [
        (&ada, "a1", 10, 1.0),
        (&ada, "a2", 20, 2.0),
        (&ada, "a3", 30, 3.0),
        (&bob, "b1", 5, 4.0),
        (&bob, "b2", 50, 5.0),
    ] {
        let mut a = Article { rating, ..article(who, title, views) };
        if views >= 30 {
            a.published_on = chrono::NaiveDate::from_ymd_opt(2024, 1, views as u32 / 10);
        }
        a.insert(db).await?;
    }
    Ok((ada, bob))
}

async fn titles(db: &Db, query: QuerySet<Article>) -> quiver_orm::Result<Vec<String>> {
    query.values_list(db, Article::TITLE).await
}

db_test!(order_by_several_keys, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let q = Article::objects().order_by([Article::AUTHOR.asc(), Article::VIEWS.desc()]);
    assert_eq!(titles(&db, q).await?, ["a3", "a2", "a1", "b2", "b1"]);
    let q = Article::objects()
        .order_by([Article::AUTHOR.then(Author::NAME).desc(), Article::TITLE.asc()]);
    assert_eq!(titles(&db, q).await?, ["b1", "b2", "a1", "a2", "a3"], "ordering across a relation");
    Ok(())
});

db_test!(order_by_names_are_checked, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let q = Article::objects().order_by_names(["-views"]);
    assert_eq!(titles(&db, q).await?, ["b2", "a3", "a2", "a1", "b1"]);
    let q = Article::objects().order_by_names(["author__name", "-title"]);
    assert_eq!(titles(&db, q).await?, ["a3", "a2", "a1", "b2", "b1"]);
    let error = Article::objects().order_by_names(["-vews"]).all(&*db).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::UnknownField { model: "Article", field } if field == "vews"),
        "{error}"
    );
    Ok(())
});

db_test!(nulls_first_and_last, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let q = Article::objects()
        .order_by([Article::PUBLISHED_ON.asc().nulls_first(), Article::TITLE.asc()]);
    assert_eq!(titles(&db, q).await?, ["a1", "a2", "b1", "a3", "b2"]);
    let q = Article::objects()
        .order_by([Article::PUBLISHED_ON.desc().nulls_last(), Article::TITLE.asc()]);
    assert_eq!(titles(&db, q).await?, ["b2", "a3", "a1", "a2", "b1"]);
    Ok(())
});

db_test!(default_ordering_reverse_first_last, |db| async move {
    setup(&db).await?;
    author("carol").insert(&*db).await?;
    author("ada").insert(&*db).await?;
    author("bob").insert(&*db).await?;
    // Author's default ordering is by name.
    assert_eq!(Author::objects().values_list(&*db, Author::NAME).await?, ["ada", "bob", "carol"]);
    assert_eq!(
        Author::objects().reverse().values_list(&*db, Author::NAME).await?,
        ["carol", "bob", "ada"]
    );
    assert_eq!(Author::objects().first(&*db).await?.unwrap().name, "ada");
    assert_eq!(Author::objects().last(&*db).await?.unwrap().name, "carol");
    // No ordering on Tag: first/last use the primary key.
    for name in ["z", "y"] {
        Tag { id: Auto::new(), name: name.into() }.insert(&*db).await?;
    }
    assert_eq!(Tag::objects().first(&*db).await?.unwrap().name, "z");
    assert_eq!(Tag::objects().last(&*db).await?.unwrap().name, "y");
    assert!(Tag::objects().filter(Tag::NAME.eq("none")).first(&*db).await?.is_none());
    Ok(())
});

db_test!(slicing_is_limit_and_offset, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let base = Article::objects().order_by([Article::VIEWS.asc()]);
    assert_eq!(titles(&db, base.clone().slice(1..3)).await?, ["a1", "a2"]);
    assert_eq!(titles(&db, base.clone().slice(3..)).await?, ["a3", "b2"]);
    assert_eq!(titles(&db, base.clone().slice(..2)).await?, ["b1", "a1"]);
    assert_eq!(titles(&db, base.clone().slice(1..4).slice(1..2)).await?, ["a2"], "slices compose");
    assert_eq!(titles(&db, base.clone().limit(2).offset(1)).await?, ["a1", "a2"]);
    assert_eq!(base.clone().slice(1..3).count(&*db).await?, 2, "count honours the slice");
    Ok(())
});

db_test!(count_exists_distinct, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    assert_eq!(Article::objects().count(&*db).await?, 5);
    assert_eq!(Article::objects().filter(Article::VIEWS.gt(15)).count(&*db).await?, 3);
    assert!(Article::objects().filter(Article::VIEWS.gt(45)).exists(&*db).await?);
    assert!(!Article::objects().filter(Article::VIEWS.gt(500)).exists(&*db).await?);
    let authors = Article::objects().unordered().distinct().values(&*db, ["author"]).await?;
    assert_eq!(authors.len(), 2);
    assert_eq!(Article::objects().filter(Q::path("author__name", "ada")).count(&*db).await?, 3);
    Ok(())
});

db_test!(values_and_values_list, |db| async move {
    setup(&db).await?;
    let (ada, _) = data(&db).await?;
    let rows = Article::objects()
        .filter(Article::TITLE.eq("a2"))
        .values(&*db, ["title", "views", "author", "author__name"])
        .await?;
    assert_eq!(
        serde_json::Value::Object(rows[0].clone()),
        serde_json::json!({"title": "a2", "views": 20, "author": ada.id.value(), "author__name": "ada"})
    );
    let everything =
        Article::objects().filter(Article::TITLE.eq("a2")).values(&*db, Vec::<&str>::new()).await?;
    assert_eq!(everything[0]["price"], "19.99", "decimals as strings, like DRF");
    let views = Article::objects()
        .order_by([Article::VIEWS.asc()])
        .values_list(&*db, Article::VIEWS)
        .await?;
    assert_eq!(views, [5, 10, 20, 30, 50]);
    let error = Article::objects().values(&*db, ["title", "secret"]).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UnknownField { .. }), "{error}");
    Ok(())
});

db_test!(aggregates, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let totals = Article::objects()
        .aggregate(
            &*db,
            [
                count::all(),
                Sum(Article::VIEWS),
                Avg(Article::RATING),
                Min(Article::VIEWS),
                Max(Article::TITLE).alias("last_title"),
                Count(Article::PUBLISHED_ON).alias("published"),
                Count(Article::AUTHOR).distinct().alias("authors"),
            ],
        )
        .await?;
    assert_eq!(
        serde_json::Value::Object(totals),
        serde_json::json!({
            "count": 5, "views__sum": 115, "rating__avg": 3.0, "views__min": 5,
            "last_title": "b2", "published": 2, "authors": 2
        })
    );
    let empty = Article::objects()
        .filter(Article::VIEWS.gt(1000))
        .aggregate(&*db, [Sum(Article::VIEWS), count::all()])
        .await?;
    assert_eq!(
        serde_json::Value::Object(empty),
        serde_json::json!({"views__sum": null, "count": 0})
    );
    Ok(())
});

db_test!(aggregate_by_groups, |db| async move {
    setup(&db).await?;
    data(&db).await?;
    let mut groups = Article::objects()
        .aggregate_by(
            &*db,
            ["author__name"],
            [count::all().alias("n"), Sum(Article::VIEWS).alias("views")],
        )
        .await?;
    groups.sort_by_key(|g| g["author__name"].as_str().unwrap().to_owned());
    assert_eq!(
        serde_json::to_value(&groups).unwrap(),
        serde_json::json!([
            {"author__name": "ada", "n": 3, "views": 60},
            {"author__name": "bob", "n": 2, "views": 55}
        ])
    );
    Ok(())
});

db_test!(chunks_stream_everything_once, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let articles: Vec<_> = (0..23).map(|i| article(&ada, &format!("t{i:02}"), i)).collect();
    Article::bulk_create(&*db, articles).await?;
    let query = Article::objects().order_by([Article::VIEWS.desc()]);
    let chunks: Vec<_> = query.chunks(&*db, 10).collect().await;
    let sizes: Vec<usize> = chunks.iter().map(|c| c.as_ref().unwrap().len()).collect();
    assert_eq!(sizes, [10, 10, 3]);
    let views: Vec<i64> = chunks.into_iter().flat_map(|c| c.unwrap()).map(|a| a.views).collect();
    assert_eq!(views, (0..23).rev().collect::<Vec<_>>(), "ordered, no row twice");
    let sliced: Vec<_> = query.clone().slice(5..12).chunks(&*db, 4).collect().await;
    let sliced: Vec<i64> = sliced.into_iter().flat_map(|c| c.unwrap()).map(|a| a.views).collect();
    assert_eq!(sliced, (11..=17).rev().collect::<Vec<_>>(), "a slice bounds the stream");
    Ok(())
});

db_test!(explain_and_sql, |db| async move {
    setup(&db).await?;
    let query = Author::objects().filter(Author::NAME.eq("ada"));
    let plan = query.explain(&*db).await?;
    assert!(!plan.trim().is_empty(), "a plan");
    let sql = query.sql(&*db)?;
    assert!(
        sql.contains("orm_author") && !sql.contains("ada"),
        "the value is a placeholder: {sql}"
    );
    Ok(())
});

db_test!(annotations_count_and_sum_related_rows, |db| async move {
    setup(&db).await?;
    let (ada, bob) = data(&db).await?;
    author("carol").insert(&*db).await?;
    let mut rust = Tag { id: Auto::new(), name: "rust".into() };
    rust.insert(&*db).await?;
    let a1 = Article::objects().filter(Article::TITLE.eq("a1")).get(&*db).await?;
    a1.tags.add(&*db, [&rust]).await?;
    let b2 = Article::objects().filter(Article::TITLE.eq("b2")).get(&*db).await?;
    b2.tags.add(&*db, [&rust]).await?;

    let before = db.query_count();
    let authors = Author::objects()
        .annotate(Author::ARTICLES.count().alias("n"))
        .annotate(Author::ARTICLES.sum(Article::VIEWS))
        .annotate(Author::ARTICLES.count().filter(Article::VIEWS.gte(20)).alias("popular"))
        .annotate(Author::ARTICLES.max(Article::TITLE).alias("last"))
        .annotate(Author::ARTICLES.sum(Article::PRICE).alias("money"))
        .order_by_names(["-n", "name"])
        .all_annotated(&*db)
        .await?;
    assert_eq!(db.query_count() - before, 1, "correlated subqueries: one query");
    let rows: Vec<serde_json::Value> = authors
        .iter()
        .map(|a| {
            serde_json::json!([
                a.name,
                a.values["n"],
                a.values["articles__views__sum"],
                a.values["popular"],
                a.values["last"],
                a.values["money"]
            ])
        })
        .collect();
    assert_eq!(
        rows,
        [
            serde_json::json!(["ada", 3, 60, 2, "a3", "59.97"]),
            serde_json::json!(["bob", 2, 55, 1, "b2", "39.98"]),
            serde_json::json!(["carol", 0, null, 0, null, null]),
        ]
    );
    let _ = (ada, bob);

    let tags = Tag::objects().all(&*db).await?;
    assert_eq!(tags.len(), 1);
    let tagged = Article::objects()
        .annotate(Article::TAGS.count().alias("tags"))
        .filter(Article::TITLE.in_(["a1", "a2"]))
        .order_by([Article::TITLE.asc()])
        .all_annotated(&*db)
        .await?;
    let counts: Vec<_> = tagged.iter().map(|a| a.values["tags"].clone()).collect();
    assert_eq!(counts, [serde_json::json!(1), serde_json::json!(0)]);
    let error = Author::objects()
        .order_by_names(["-nope"])
        .annotate(Author::ARTICLES.count())
        .all_annotated(&*db)
        .await;
    assert!(error.is_err());
    Ok(())
});
