//! Every lookup, Q combinations, F expressions, date parts.

use chrono::{NaiveDate, TimeZone, Utc};
use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, db_test};

use crate::models::*;
use crate::setup;

/// Authors ada, Bob, carol, dave (no email), eve%_ (a name with LIKE wildcards).
async fn authors(db: &Db) -> quiver_orm::Result<()> {
    for (name, email) in [
        ("ada", Some("ada@example.com")),
        ("Bob", Some("bob@example.org")),
        ("carol", Some("carol@example.com")),
        ("dave", None),
        ("eve%_", Some("eve@example.com")),
    ] {
        Author { email: email.map(Into::into), ..author(name) }.insert(db).await?;
    }
    Ok(())
}

async fn names(db: &Db, q: Q) -> quiver_orm::Result<Vec<String>> {
    Author::objects().filter(q).values_list(db, Author::NAME).await
}

db_test!(exact_and_ne, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::NAME.eq("ada")).await?, ["ada"]);
    assert_eq!(
        names(&db, Author::NAME.eq("ADA")).await?,
        Vec::<String>::new(),
        "exact is case-sensitive"
    );
    assert_eq!(names(&db, Author::NAME.ne("ada")).await?.len(), 4);
    Ok(())
});

db_test!(comparisons, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    let first =
        Author::objects().order_by([Author::ID.asc()]).first(&*db).await?.unwrap().id.value();
    assert_eq!(Author::objects().filter(Author::ID.lt(first + 2)).count(&*db).await?, 2);
    assert_eq!(Author::objects().filter(Author::ID.lte(first + 2)).count(&*db).await?, 3);
    assert_eq!(Author::objects().filter(Author::ID.gt(first + 2)).count(&*db).await?, 2);
    assert_eq!(Author::objects().filter(Author::ID.gte(first + 2)).count(&*db).await?, 3);
    assert_eq!(
        Author::objects().filter(Author::ID.between(first + 1, first + 3)).count(&*db).await?,
        3
    );
    Ok(())
});

db_test!(in_and_empty_in, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::NAME.in_(["ada", "carol", "zed"])).await?, ["ada", "carol"]);
    assert!(
        names(&db, Author::NAME.in_(Vec::<String>::new())).await?.is_empty(),
        "IN () matches nothing"
    );
    assert_eq!(names(&db, !Author::NAME.in_(Vec::<String>::new())).await?.len(), 5);
    Ok(())
});

db_test!(text_lookups, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::NAME.contains("o")).await?, ["Bob", "carol"]);
    assert_eq!(
        names(&db, Author::NAME.contains("B")).await?,
        ["Bob"],
        "contains is case-sensitive"
    );
    assert_eq!(names(&db, Author::NAME.icontains("B")).await?, ["Bob"]);
    assert_eq!(names(&db, Author::NAME.icontains("A")).await?, ["ada", "carol", "dave"]);
    assert_eq!(names(&db, Author::NAME.starts_with("b")).await?, Vec::<String>::new());
    assert_eq!(names(&db, Author::NAME.istarts_with("b")).await?, ["Bob"]);
    assert_eq!(names(&db, Author::NAME.ends_with("OB")).await?, Vec::<String>::new());
    assert_eq!(names(&db, Author::NAME.iends_with("OB")).await?, ["Bob"]);
    assert_eq!(names(&db, Author::NAME.iexact("BOB")).await?, ["Bob"]);
    Ok(())
});

db_test!(like_wildcards_in_values_are_literal, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::NAME.contains("%")).await?, ["eve%_"]);
    assert_eq!(names(&db, Author::NAME.ends_with("_")).await?, ["eve%_"]);
    assert_eq!(names(&db, Author::NAME.icontains("%_")).await?, ["eve%_"]);
    assert!(names(&db, Author::NAME.contains("\\")).await?.is_empty());
    assert_eq!(names(&db, Author::NAME.iexact("EVE%_")).await?, ["eve%_"]);
    assert!(names(&db, Author::NAME.iexact("eve%")).await?.is_empty(), "iexact has no wildcards");
    Ok(())
});

db_test!(regex_lookup, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::NAME.regex("^[a-c].*[ld]$")).await?, ["carol"]);
    Ok(())
});

db_test!(null_lookups, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Author::EMAIL.is_null(true)).await?, ["dave"]);
    assert_eq!(names(&db, Author::EMAIL.is_null(false)).await?.len(), 4);
    assert_eq!(
        names(&db, Q::path("email", None::<String>)).await?,
        ["dave"],
        "= NULL means IS NULL"
    );
    assert_eq!(names(&db, Q::path("email__isnull", true)).await?, ["dave"]);
    Ok(())
});

db_test!(exclude_keeps_rows_where_the_field_is_null, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    let kept = Author::objects()
        .exclude(Author::EMAIL.ends_with(".com"))
        .values_list(&*db, Author::NAME)
        .await?;
    assert_eq!(kept, ["Bob", "dave"], "like Django: NULL emails are not excluded");
    Ok(())
});

db_test!(q_combinations, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    let q = (Author::NAME.eq("ada") | Author::NAME.eq("Bob")) & !Author::EMAIL.ends_with(".org");
    assert_eq!(names(&db, q).await?, ["ada"]);
    let q = Author::NAME.starts_with("c")
        | Author::NAME.starts_with("d")
        | Author::NAME.starts_with("e");
    assert_eq!(names(&db, q).await?.len(), 3);
    assert_eq!(names(&db, Q::all()).await?.len(), 5);
    let chained =
        Author::objects().filter(Author::NAME.contains("a")).filter(Author::EMAIL.is_null(false));
    assert_eq!(chained.values_list(&*db, Author::NAME).await?, ["ada", "carol"]);
    Ok(())
});

db_test!(django_paths, |db| async move {
    setup(&db).await?;
    authors(&db).await?;
    assert_eq!(names(&db, Q::path("name__icontains", "OB")).await?, ["Bob"]);
    assert_eq!(names(&db, Q::path("name", "ada")).await?, ["ada"]);
    assert_eq!(names(&db, Q::path_in("name__in", ["ada", "dave"])).await?, ["ada", "dave"]);
    assert_eq!(names(&db, Q::path("pk__gte", 1)).await?.len(), 5, "pk names the primary key");
    let error = names(&db, Q::path("nmae__icontains", "x")).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UnknownField { model: "Author", .. }), "{error}");
    let error = names(&db, Q::path("name__icontain", "x")).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UnknownLookup { .. }), "{error}");
    assert!(error.to_string().contains("icontains"), "the message lists the lookups: {error}");
    Ok(())
});

db_test!(f_expressions_compare_columns, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for (title, views, likes) in [("a", 10, 20), ("b", 10, 5), ("c", 3, 3)] {
        Article { likes, ..article(&ada, title, views) }.insert(&*db).await?;
    }
    let liked = Article::objects()
        .filter(F(Article::LIKES).gt(F(Article::VIEWS)))
        .values_list(&*db, Article::TITLE)
        .await?;
    assert_eq!(liked, ["a"]);
    let even =
        Article::objects().filter(F(Article::LIKES).eq(F(Article::VIEWS))).count(&*db).await?;
    assert_eq!(even, 1);
    let doubled =
        Article::objects().filter(F(Article::LIKES).gte(F(Article::VIEWS) * 2)).count(&*db).await?;
    assert_eq!(doubled, 1);
    Ok(())
});

db_test!(date_parts, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for (title, day, created) in [
        (
            "new-year",
            NaiveDate::from_ymd_opt(2024, 1, 1),
            Utc.with_ymd_and_hms(2024, 1, 1, 23, 30, 0).unwrap(),
        ),
        (
            "leap",
            NaiveDate::from_ymd_opt(2024, 2, 29),
            Utc.with_ymd_and_hms(2023, 2, 28, 0, 0, 0).unwrap(),
        ),
        ("none", None, Utc.with_ymd_and_hms(2022, 7, 4, 12, 0, 0).unwrap()),
    ] {
        let mut a = Article { published_on: day, ..article(&ada, title, 0) };
        a.insert(&*db).await?;
        Article::objects()
            .filter(Article::ID.eq(a.id.value()))
            .update()
            .set(Article::CREATED_AT, created)
            .execute(&*db)
            .await?;
    }
    let titles = |q: Q| {
        let db = db.db().clone();
        async move {
            Article::objects()
                .filter(q)
                .order_by([Article::TITLE.asc()])
                .values_list(&db, Article::TITLE)
                .await
        }
    };
    assert_eq!(titles(Article::PUBLISHED_ON.year().eq(2024)).await?, ["leap", "new-year"]);
    assert_eq!(titles(Article::PUBLISHED_ON.month().eq(2)).await?, ["leap"]);
    assert_eq!(titles(Article::PUBLISHED_ON.day().gte(29)).await?, ["leap"]);
    assert_eq!(titles(Article::CREATED_AT.year().lt(2024)).await?, ["leap", "none"]);
    assert_eq!(titles(Article::CREATED_AT.day().eq(1)).await?, ["new-year"], "parts are UTC parts");
    assert_eq!(titles(Q::path("created_at__month__gte", 7)).await?, ["none"]);
    Ok(())
});

db_test!(lookups_across_relations, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    article(&ada, "by ada", 1).insert(&*db).await?;
    let mut edited = article(&bob, "by bob", 2);
    edited.editor = Some(ForeignKey::new(ada.id.value()));
    edited.insert(&*db).await?;
    let by_ada = Article::objects()
        .filter(Article::AUTHOR.then(Author::NAME).eq("ada"))
        .values_list(&*db, Article::TITLE)
        .await?;
    assert_eq!(by_ada, ["by ada"]);
    let by_path = Article::objects()
        .filter(Q::path("author__name__istartswith", "B"))
        .values_list(&*db, Article::TITLE)
        .await?;
    assert_eq!(by_path, ["by bob"]);
    let edited_by_ada =
        Article::objects().filter(Q::path("editor__name", "ada")).count(&*db).await?;
    assert_eq!(edited_by_ada, 1);
    let unedited = Article::objects()
        .filter(Article::EDITOR.is_null(true))
        .values_list(&*db, Article::TITLE)
        .await?;
    assert_eq!(unedited, ["by ada"]);
    let by_key = Article::objects().filter(Article::AUTHOR.eq(bob.id.value())).count(&*db).await?;
    assert_eq!(by_key, 1, "a foreign key compares with the related key");
    let via_fk_in =
        Article::objects().filter(Q::path_in("author__in", [ada.id.value()])).count(&*db).await?;
    assert_eq!(via_fk_in, 1);
    let error =
        Article::objects().filter(Q::path("author__nmae", "x")).count(&*db).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UnknownField { model: "Author", .. }), "{error}");
    Ok(())
});
