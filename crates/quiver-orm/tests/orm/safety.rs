//! Bad input is data, never SQL: injection strings through every lookup, names checked.

use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, db_test};

use crate::models::*;
use crate::setup;

const ATTACKS: &[&str] = &[
    "'; DROP TABLE orm_author; --",
    "\" OR \"1\"=\"1",
    "' OR '1'='1",
    "ada' --",
    "%' OR 1=1 --",
    "\\'; DELETE FROM orm_author; --",
    "$1",
    "?",
    "1); DROP TABLE orm_tag; --",
];

db_test!(injection_strings_in_every_lookup_are_plain_values, |db| async move {
    setup(&db).await?;
    author("ada").insert(&*db).await?;
    Tag { id: Auto::new(), name: "t".into() }.insert(&*db).await?;
    for attack in ATTACKS {
        let attack = attack.to_string();
        let lookups = [
            Author::NAME.eq(attack.clone()),
            Author::NAME.ne(attack.clone()) & Author::NAME.eq(attack.clone()),
            Author::NAME.lt(attack.clone()) & Author::NAME.gt(attack.clone()),
            Author::NAME.lte(attack.clone())
                & Author::NAME.gte(attack.clone())
                & Author::NAME.ne("ada"),
            Author::NAME.in_([attack.clone()]),
            Author::NAME.between(attack.clone(), attack.clone()),
            Author::NAME.iexact(attack.clone()),
            Author::NAME.contains(attack.clone()),
            Author::NAME.icontains(attack.clone()),
            Author::NAME.starts_with(attack.clone()),
            Author::NAME.istarts_with(attack.clone()),
            Author::NAME.ends_with(attack.clone()),
            Author::NAME.iends_with(attack.clone()),
            Author::EMAIL.eq(attack.clone()),
            Q::path("name__icontains", attack.clone()),
            Q::path("name", attack.clone()),
            F(Author::NAME).eq(attack.clone()),
        ];
        for q in lookups {
            let found = Author::objects().filter(q.clone()).count(&*db).await?;
            assert_eq!(found, 0, "{attack:?} matched through {q:?}");
        }
        // The regex lookup compiles the value as a pattern, never as SQL.
        let _ = Author::objects().filter(Author::NAME.regex(attack.clone())).count(&*db).await;
        Author::objects()
            .filter(Author::NAME.eq(attack.clone()))
            .update()
            .set(Author::EMAIL, Some(attack.clone()))
            .execute(&*db)
            .await?;
        Author::objects().filter(Author::NAME.eq(attack.clone())).delete(&*db).await?;
    }
    // Stored as given, read back as given.
    for attack in ATTACKS {
        let mut stored = author(attack);
        stored.insert(&*db).await?;
        assert_eq!(
            Author::objects().filter(Author::NAME.eq(*attack)).get(&*db).await?.name,
            *attack
        );
    }
    assert_eq!(Author::objects().filter(Author::NAME.eq("ada")).count(&*db).await?, 1);
    assert_eq!(Tag::objects().count(&*db).await?, 1, "every table is still there");
    // NUL cannot be stored in text on PostgreSQL and cuts LIKE short on SQLite: refused, as a
    // bad value (a client's fault: 400 through `or_404`), not a broken query.
    for q in [
        Author::NAME.contains("ada\0x"),
        Author::NAME.eq("ada\0"),
        Q::path("name__startswith", "a\0"),
    ] {
        let error = Author::objects().filter(q).count(&*db).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::InvalidValue { message, .. } if message.contains("NUL")),
            "{error:?}"
        );
    }
    Ok(())
});

db_test!(injection_in_names_is_an_unknown_field_error, |db| async move {
    setup(&db).await?;
    author("ada").insert(&*db).await?;
    for attack in ATTACKS.iter().chain(&[
        "name; DROP TABLE orm_author",
        "name DESC, (SELECT 1)",
        "-",
        "",
        "__",
        "name__",
    ]) {
        let error = Author::objects().order_by_names([*attack]).all(&*db).await.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::UnknownField { .. }
                    | ErrorKind::UnknownLookup { .. }
                    | ErrorKind::InvalidQuery(_)
            ),
            "order_by {attack:?}: {error:?}"
        );
        let error = Author::objects().filter(Q::path(*attack, "x")).count(&*db).await.unwrap_err();
        assert!(
            matches!(
                error.kind(),
                ErrorKind::UnknownField { .. }
                    | ErrorKind::UnknownLookup { .. }
                    | ErrorKind::InvalidQuery(_)
            ),
            "path {attack:?}: {error:?}"
        );
        let error = Author::objects().values(&*db, [*attack]).await.unwrap_err();
        assert!(
            matches!(error.kind(), ErrorKind::UnknownField { .. } | ErrorKind::InvalidQuery(_)),
            "values {attack:?}"
        );
        assert!(Author::objects().aggregate_by(&*db, [*attack], [count::all()]).await.is_err());
    }
    let mut ada = Author::objects().get(&*db).await?;
    assert!(
        Author::bulk_update(&*db, std::slice::from_mut(&mut ada), &["name; --"]).await.is_err()
    );
    assert_eq!(Author::objects().count(&*db).await?, 1);
    Ok(())
});
