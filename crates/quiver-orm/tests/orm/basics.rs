//! Instances: insert, get, save, delete, refresh, keys of every kind, field types.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, db_test};
use rust_decimal::Decimal;
use uuid::Uuid;

use crate::models::*;
use crate::setup;

db_test!(insert_and_get, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    assert!(ada.id.is_set());
    let got = Author::objects().filter(Author::ID.eq(ada.id.value())).get(&*db).await?;
    assert_eq!(got.name, "ada");
    assert_eq!(got.email, None);
    Ok(())
});

db_test!(auto_keys_count_up, |db| async move {
    setup(&db).await?;
    let mut a = author("a");
    let mut b = author("b");
    a.insert(&*db).await?;
    b.insert(&*db).await?;
    assert!(b.id.value() > a.id.value());
    Ok(())
});

db_test!(get_distinguishes_not_found_and_multiple, |db| async move {
    setup(&db).await?;
    let missing = Author::objects().filter(Author::NAME.eq("nobody")).get(&*db).await.unwrap_err();
    assert!(matches!(missing.kind(), ErrorKind::NotFound { model: "Author" }), "{missing}");
    assert!(missing.is_not_found());
    author("x1").insert(&*db).await?;
    author("x2").insert(&*db).await?;
    let many = Author::objects().filter(Author::NAME.starts_with("x")).get(&*db).await.unwrap_err();
    assert!(matches!(many.kind(), ErrorKind::MultipleObjectsReturned { count: 2, .. }), "{many}");
    Ok(())
});

db_test!(save_inserts_then_updates, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.save(&*db).await?;
    let id = ada.id.value();
    ada.email = Some("ada@example.com".into());
    ada.save(&*db).await?;
    assert_eq!(ada.id.value(), id, "an update keeps the key");
    assert_eq!(Author::objects().count(&*db).await?, 1);
    let got = Author::objects().filter(Author::ID.eq(id)).get(&*db).await?;
    assert_eq!(got.email.as_deref(), Some("ada@example.com"));
    Ok(())
});

db_test!(natural_text_key_saves_as_insert_then_update, |db| async move {
    setup(&db).await?;
    let mut books = Category { code: "books".into(), name: "Books".into() };
    books.save(&*db).await?; // no row with this key yet: inserted
    books.name = "All books".into();
    books.save(&*db).await?; // updated
    assert_eq!(Category::objects().count(&*db).await?, 1);
    let got = Category::objects().filter(Category::CODE.eq("books")).get(&*db).await?;
    assert_eq!(got.name, "All books");
    Ok(())
});

db_test!(uuid_primary_key, |db| async move {
    setup(&db).await?;
    let id = Uuid::new_v4();
    let mut ticket =
        Ticket { id, title: "concert".into(), seat: 7, tags: ManyToMany::new(), note: None };
    ticket.save(&*db).await?;
    let got = Ticket::objects().filter(Ticket::ID.eq(id)).get(&*db).await?;
    assert_eq!((got.id, got.seat), (id, 7));
    Ok(())
});

db_test!(delete_and_refresh, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    Author::objects()
        .filter(Author::ID.eq(ada.id.value()))
        .update()
        .set(Author::NAME, "Ada L.")
        .execute(&*db)
        .await?;
    ada.refresh_from_db(&*db).await?;
    assert_eq!(ada.name, "Ada L.");
    assert_eq!(ada.delete(&*db).await?, 1);
    assert_eq!(ada.delete(&*db).await?, 0, "already gone");
    assert!(ada.refresh_from_db(&*db).await.unwrap_err().is_not_found());
    Ok(())
});

db_test!(unsaved_instances_cannot_be_deleted, |db| async move {
    setup(&db).await?;
    let error = author("ghost").delete(&*db).await.unwrap_err();
    assert!(error.to_string().contains("has not been saved"), "{error}");
    Ok(())
});

db_test!(every_field_type_round_trips, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let born = NaiveDate::from_ymd_opt(1815, 12, 10)
        .unwrap()
        .and_hms_micro_opt(6, 30, 15, 250_000)
        .unwrap();
    let mut profile = Profile {
        id: Auto::new(),
        author: ForeignKey::new(ada.id.value()),
        data: serde_json::json!({"langs": ["en", "fr"], "n": 3, "ok": true}),
        token: Uuid::new_v4(),
        avatar: vec![0, 1, 2, 255, 0],
        wakes_at: NaiveTime::from_hms_micro_opt(7, 45, 0, 123_456).unwrap(),
        level: -3,
        score: 2_000_000_000,
        ratio: 0.5,
        active: true,
        priority: Priority::High,
        born,
    };
    profile.insert(&*db).await?;
    let got = Profile::objects().get(&*db).await?;
    assert_eq!(got.data, profile.data);
    assert_eq!(got.token, profile.token);
    assert_eq!(got.avatar, profile.avatar);
    assert_eq!(got.wakes_at, profile.wakes_at);
    assert_eq!((got.level, got.score, got.ratio, got.active), (-3, 2_000_000_000, 0.5, true));
    assert_eq!(got.priority, Priority::High);
    assert_eq!(got.born, born);
    assert_eq!(*got.author.id(), ada.id.value());
    Ok(())
});

db_test!(decimals_keep_their_digits, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut a = article(&ada, "priced", 0);
    a.price = "12345678.91".parse::<Decimal>().unwrap();
    a.insert(&*db).await?;
    let got = Article::objects().get(&*db).await?;
    assert_eq!(got.price, "12345678.91".parse::<Decimal>().unwrap());
    let cheap =
        Article::objects().filter(Article::PRICE.lt(Decimal::new(100, 0))).count(&*db).await?;
    assert_eq!(cheap, 0, "decimals compare as numbers, not text");
    Ok(())
});

db_test!(datetimes_are_utc_and_keep_microseconds, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut a = article(&ada, "timed", 0);
    a.insert(&*db).await?;
    let stamp = Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 58).unwrap()
        + chrono::Duration::microseconds(123_456);
    Article::objects().update().set(Article::CREATED_AT, stamp).execute(&*db).await?;
    let got = Article::objects().get(&*db).await?;
    assert_eq!(got.created_at, stamp);
    Ok(())
});

db_test!(auto_now_and_auto_now_add, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let before = Utc::now() - chrono::Duration::seconds(1);
    let mut a = article(&ada, "stamped", 0);
    a.created_at = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
    a.updated_at = a.created_at;
    a.insert(&*db).await?;
    assert!(a.created_at > before, "auto_now_add sets the time on insert");
    assert!(a.updated_at > before, "auto_now sets the time on insert");
    let created = a.created_at;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    a.title = "changed".into();
    a.save(&*db).await?;
    a.refresh_from_db(&*db).await?;
    assert_eq!(
        a.created_at.timestamp_micros(),
        created.timestamp_micros(),
        "auto_now_add is kept on update"
    );
    assert!(a.updated_at > created, "auto_now moves on update");
    Ok(())
});

db_test!(choices_are_stored_as_their_values, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut a = article(&ada, "chosen", 0);
    a.status = Status::Published;
    a.insert(&*db).await?;
    let stored = Article::objects().values(&*db, ["status"]).await?;
    assert_eq!(stored[0]["status"], "published");
    assert_eq!(
        Article::objects().filter(Article::STATUS.eq(Status::Published)).count(&*db).await?,
        1
    );
    // A value outside the choices is a decode error naming the field, not a panic.
    db.execute_raw("UPDATE orm_article SET status = 'bogus'", []).await?;
    let error = Article::objects().all(&*db).await.unwrap_err();
    assert!(
        error.to_string().contains("Article.status") && error.to_string().contains("bogus"),
        "{error}"
    );
    Ok(())
});

db_test!(unique_violation_has_its_own_kind, |db| async move {
    setup(&db).await?;
    author("ada").insert(&*db).await?;
    let error = author("ada").insert(&*db).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::UniqueViolation { .. }), "{error:?}");
    let id = Uuid::new_v4();
    Ticket { id, title: "t".into(), seat: 1, tags: ManyToMany::new(), note: None }
        .insert(&*db)
        .await?;
    let error = Ticket {
        id: Uuid::new_v4(),
        title: "t".into(),
        seat: 1,
        tags: ManyToMany::new(),
        note: None,
    }
    .insert(&*db)
    .await
    .unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::UniqueViolation { .. }),
        "unique_together: {error:?}"
    );
    Ok(())
});

db_test!(full_clean_reports_every_problem, |db| async move {
    let long = Author { email: Some("x".repeat(101)), ..author(&"n".repeat(51)) };
    let error = long.full_clean().unwrap_err();
    let ErrorKind::Validation(problems) = error.kind() else { panic!("{error}") };
    let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
    assert_eq!(fields, ["name", "email"]);
    assert!(author("ok").full_clean().is_ok());
    let _ = db;
    Ok(())
});

db_test!(raw_queries_bind_their_values, |db| async move {
    setup(&db).await?;
    author("ada").insert(&*db).await?;
    author("bob").insert(&*db).await?;
    let placeholder = if db.backend() == quiver_orm::Backend::Postgres { "$1" } else { "?" };
    let sql = format!("SELECT id, name, email FROM orm_author WHERE name = {placeholder}");
    let found = Author::raw(&*db, &sql, ["bob".into()]).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "bob");
    let none = Author::raw(&*db, &sql, ["bob' OR '1'='1".into()]).await?;
    assert!(none.is_empty(), "the value is bound, never spliced");
    Ok(())
});

db_test!(full_clean_runs_the_api_constraints_too, |db| async move {
    let bad = Contact { id: Auto::new(), name: "x".into(), email: "nope".into(), age: 200 };
    let error = bad.full_clean().unwrap_err();
    let ErrorKind::Validation(problems) = error.kind() else { panic!("{error}") };
    let found: Vec<(&str, &str, &str)> =
        problems.iter().map(|p| (p.field, p.code, p.message.as_str())).collect();
    assert_eq!(
        found,
        [
            ("name", "length", "ensure this value has between 2 and 40 characters or items"),
            ("email", "email", "enter a valid email address"),
            ("age", "range", "ensure this value is between 0 and 150"),
        ]
    );
    let good =
        Contact { id: Auto::new(), name: "Ada".into(), email: "ada@example.com".into(), age: 36 };
    assert!(good.full_clean().is_ok());
    assert_eq!(Contact::meta().field("name").unwrap().max_length, Some(40), "from #[validate]");
    let _ = db;
    Ok(())
});

#[tokio::test]
async fn bad_urls_say_what_is_wrong() {
    let error = Db::connect("oracle://scott:tiger@db/orcl").await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Config(_)), "{error:?}");
    assert!(
        error.to_string().contains("use sqlite://path, postgres://... or mysql://..."),
        "{error}"
    );
    let options =
        quiver_orm::PoolOptions::default().acquire_timeout(std::time::Duration::from_secs(2));
    // Nothing listens on port 1: a database error, not a panic or a hang.
    let error = Db::connect_with("postgres://nobody@127.0.0.1:1/none", options).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Database(_)), "{error:?}");
    let error = Db::connect("sqlite:///nonexistent-dir/sub/app.db").await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::Database(_)), "{error:?}");
}
