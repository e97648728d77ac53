//! Regression tests for the review of the first ORM version: each names what it guards.

use quiver_orm::prelude::*;
use quiver_orm::{Error, ErrorKind, db_test};
use rust_decimal::Decimal;

use crate::models::*;
use crate::setup;

fn ticket(title: &str) -> Ticket {
    Ticket {
        id: uuid::Uuid::new_v4(),
        title: title.into(),
        seat: 1,
        tags: ManyToMany::new(),
        note: None,
    }
}

db_test!(a_cancelled_savepoint_rolls_the_transaction_back, |db| async move {
    setup(&db).await?;
    let result: Result<(), Error> = db
        .atomic(|tx| async move {
            author("outer").insert(&tx).await?;
            let slow = tx.atomic(|tx| async move {
                author("half-done").insert(&tx).await?;
                tokio::time::sleep(std::time::Duration::from_secs(60)).await;
                Ok::<_, Error>(())
            });
            assert!(
                tokio::time::timeout(std::time::Duration::from_millis(200), slow).await.is_err()
            );
            Ok(())
        })
        .await;
    assert!(result.unwrap_err().to_string().contains("cancelled"));
    assert_eq!(Author::objects().count(&*db).await?, 0, "neither the half-done block nor the rest");
    Ok(())
});

db_test!(get_or_create_losing_a_conflict_keeps_the_transaction_usable, |db| async move {
    setup(&db).await?;
    author("ada").insert(&*db).await?;
    db.atomic(|tx| async move {
        // Not found by email, then the insert conflicts on the unique name.
        let lost = Author::get_or_create(&tx, Author::EMAIL.eq("ada@x"), || author("ada")).await;
        assert!(lost.unwrap_err().is_not_found());
        assert_eq!(Author::objects().count(&tx).await?, 1, "the transaction goes on");
        Ok::<_, Error>(())
    })
    .await?;
    Ok(())
});

db_test!(select_for_update_needs_a_transaction_and_works_with_joins, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    article(&ada, "a", 1).insert(&*db).await?;
    let error = Article::objects().select_for_update().all(&*db).await.unwrap_err();
    assert!(error.to_string().contains("db.atomic"), "{error}");
    db.atomic(|tx| async move {
        let locked = Article::objects()
            .select_for_update()
            .select_related(Article::AUTHOR)
            .filter(Q::path("author__name", "ada"))
            .all(&tx)
            .await?;
        assert_eq!(locked.len(), 1);
        Ok::<_, Error>(())
    })
    .await?;
    Ok(())
});

db_test!(relation_sets_of_natural_key_models_are_bound_on_insert, |db| async move {
    setup(&db).await?;
    let mut tag = Tag { id: Auto::new(), name: "x".into() };
    tag.insert(&*db).await?;
    let mut t = ticket("show");
    t.insert(&*db).await?;
    t.tags.add(&*db, [&tag, &tag]).await?; // the same item twice in one call
    assert_eq!(t.tags.query().count(&*db).await?, 1);
    t.note = Some("kept".into());
    t.refresh_from_db(&*db).await?;
    assert_eq!(t.note.as_deref(), Some("kept"), "skip fields survive a refresh");
    Ok(())
});

db_test!(exclude_through_a_nullable_reverse_relation, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    let mut edited = article(&ada, "edited by bob", 500);
    edited.editor = Some(ForeignKey::new(bob.id.value()));
    edited.insert(&*db).await?;
    article(&ada, "no editor", 1).insert(&*db).await?; // editor NULL
    let not_big_editors = Author::objects()
        .exclude(Author::EDITED.any(Article::VIEWS.gt(100)))
        .values_list(&*db, Author::NAME)
        .await?;
    assert_eq!(not_big_editors, ["ada"]);
    Ok(())
});

db_test!(slices_compose_and_terminal_methods_honour_them, |db| async move {
    setup(&db).await?;
    for i in 0..20 {
        Tag { id: Auto::new(), name: format!("t{i:02}") }.insert(&*db).await?;
    }
    let ordered = Tag::objects().order_by([Tag::NAME.asc()]);
    let names = ordered.clone().slice(0..10).slice(5..).values_list(&*db, Tag::NAME).await?;
    assert_eq!(names, ["t05", "t06", "t07", "t08", "t09"], "a slice of a slice stays inside it");
    assert_eq!(ordered.clone().slice(2..3).get(&*db).await?.name, "t02", "get keeps the ordering");
    assert!(ordered.clone().slice(..3).last(&*db).await.is_err(), "reversing a slice is refused");
    assert!(!ordered.clone().slice(25..).exists(&*db).await?);
    assert!(ordered.clone().slice(19..).exists(&*db).await?);
    let error = ordered.clone().slice(..10).aggregate(&*db, [count::all()]).await.unwrap_err();
    assert!(error.to_string().contains("slice"), "{error}");
    Ok(())
});

db_test!(decimal_sums_stay_decimal, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for price in ["0.10", "0.20", "1234567.89"] {
        Article { price: price.parse().unwrap(), ..article(&ada, price, 0) }.insert(&*db).await?;
    }
    let totals =
        Article::objects().aggregate(&*db, [Sum(Article::PRICE), Avg(Article::PRICE)]).await?;
    assert_eq!(totals["price__sum"], "1234568.19");
    assert!(totals["price__avg"].as_str().unwrap().starts_with("411522.73"), "{totals:?}");
    Ok(())
});

db_test!(path_values_are_converted_to_the_field_type, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut a = article(&ada, "a", 10);
    a.published_on = chrono::NaiveDate::from_ymd_opt(2024, 5, 1);
    a.insert(&*db).await?;
    let t = ticket("gig");
    t.clone().insert(&*db).await?;
    // As they come from a query string: text.
    assert_eq!(Article::objects().filter(Q::path("views__gte", "10")).count(&*db).await?, 1);
    assert_eq!(
        Article::objects().filter(Q::path("published_on", "2024-05-01")).count(&*db).await?,
        1
    );
    assert_eq!(Article::objects().filter(Q::path("price__lt", "20.00")).count(&*db).await?, 1);
    assert_eq!(
        Article::objects().filter(Q::path_in("views__in", ["10", "11"])).count(&*db).await?,
        1
    );
    assert_eq!(Ticket::objects().filter(Q::path("id", t.id.to_string())).count(&*db).await?, 1);
    assert_eq!(
        Article::objects()
            .filter(Q::path("author", ada.id.value().to_string()))
            .count(&*db)
            .await?,
        1
    );
    let error =
        Article::objects().filter(Q::path("views__gte", "ten")).count(&*db).await.unwrap_err();
    assert!(
        matches!(error.kind(), ErrorKind::InvalidValue { field, .. } if field == "views__gte"),
        "{error:?}"
    );
    assert!(error.to_string().contains("not an integer"), "{error}");
    Ok(())
});

db_test!(decimal_digits_are_checked, |db| async move {
    let mut ada = author("ada");
    ada.id = Auto::from(1);
    let too_precise = Article { price: "1.234".parse().unwrap(), ..article(&ada, "p", 0) };
    let error = too_precise.full_clean().unwrap_err();
    assert!(error.to_string().contains("no more than 2 decimal places"), "{error}");
    let too_big = Article { price: Decimal::new(123456789, 0), ..article(&ada, "p", 0) };
    assert!(too_big.full_clean().unwrap_err().to_string().contains("before the decimal point"));
    assert!(
        Article { price: "12345678.90".parse().unwrap(), ..article(&ada, "p", 0) }
            .full_clean()
            .is_ok()
    );
    let _ = db;
    Ok(())
});

db_test!(date_parts_order_select_and_compute, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for (title, date) in [("b", (2023, 9, 1)), ("a", (2024, 1, 2)), ("c", (2022, 12, 31))] {
        let published = chrono::NaiveDate::from_ymd_opt(date.0, date.1, date.2);
        Article { published_on: published, ..article(&ada, title, 0) }.insert(&*db).await?;
    }
    let years = Article::objects()
        .order_by([Article::PUBLISHED_ON.month().asc()])
        .values_list(&*db, Article::PUBLISHED_ON.year())
        .await?;
    assert_eq!(years, [2024, 2023, 2022]);
    let late = Article::objects()
        .filter(F(Article::PUBLISHED_ON.day()).gt(F(Article::PUBLISHED_ON.month())))
        .count(&*db)
        .await?;
    assert_eq!(late, 2, "2024-01-02 and 2022-12-31");
    let error = Article::objects()
        .update()
        .set(Article::PUBLISHED_ON.year(), 2025)
        .execute(&*db)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("model itself"), "{error}");
    Ok(())
});

db_test!(self_references_raw_identifiers_and_one_to_one_keys, |db| async move {
    setup(&db).await?;
    let mut root = Node {
        id: Auto::new(),
        r#type: "root".into(),
        parent: None,
        links: ManyToMany::new(),
        children: Reverse::new(),
    };
    root.insert(&*db).await?;
    let mut leaf = Node {
        id: Auto::new(),
        r#type: "leaf".into(),
        parent: Some(ForeignKey::new(root.id.value())),
        links: ManyToMany::new(),
        children: Reverse::new(),
    };
    leaf.insert(&*db).await?;
    leaf.links.add(&*db, [&root]).await?;
    assert_eq!(Node::meta().field("type").unwrap().column, "type");
    let roots = Node::objects()
        .filter(Node::TYPE.eq("root"))
        .prefetch_related(Node::CHILDREN)
        .all(&*db)
        .await?;
    assert_eq!(roots[0].children.loaded().unwrap()[0].r#type, "leaf");
    assert_eq!(leaf.links.query().values_list(&*db, Node::TYPE).await?, ["root"]);
    let leaves =
        Node::objects().filter(Node::PARENT.then(Node::TYPE).eq("root")).count(&*db).await?;
    assert_eq!(leaves, 1);
    let kids = Node::objects()
        .annotate(Node::CHILDREN.count().alias("kids"))
        .order_by([Node::ID.asc()])
        .all_annotated(&*db)
        .await?;
    let kids: Vec<_> = kids.iter().map(|n| (n.r#type.clone(), n.values["kids"].clone())).collect();
    let expected =
        [("root".to_string(), serde_json::json!(1)), ("leaf".to_string(), serde_json::json!(0))];
    assert_eq!(kids, expected, "a relation to the model itself");

    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bio = Bio { author: ForeignKey::new(ada.id.value()), text: "wrote notes".into() };
    bio.save(&*db).await?;
    bio.text = "wrote the notes".into();
    bio.save(&*db).await?;
    let got = Bio::objects().select_related(Bio::AUTHOR).get(&*db).await?;
    assert_eq!(
        (got.text.as_str(), got.author.get().unwrap().name.as_str()),
        ("wrote the notes", "ada")
    );
    Ok(())
});

db_test!(models_with_only_a_generated_key_and_text_keys, |db| async move {
    setup(&db).await?;
    let bares =
        Bare::bulk_create(&*db, vec![Bare { id: Auto::new(), tags: ManyToMany::new() }; 3]).await?;
    assert_eq!(Bare::objects().count(&*db).await?, 3);
    assert!(bares.iter().all(|b| b.id.is_set()));
    Page { slug: "home".into() }.insert(&*db).await?;
    Link { id: Auto::new(), page: ForeignKey::new("home") }.insert(&*db).await?;
    assert_eq!(Link::objects().filter(Q::path("page__slug", "home")).count(&*db).await?, 1);
    Ok(())
});

db_test!(distinct_values_ignore_the_default_ordering, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    for i in 0..3 {
        article(&ada, &format!("a{i}"), i).insert(&*db).await?;
    }
    // Author is ordered by name by default; Article by nothing, so use Author's values.
    let names = Author::objects().distinct().values(&*db, ["email"]).await?;
    assert_eq!(names.len(), 1);
    Ok(())
});

db_test!(select_related_follows_paths, |db| async move {
    setup(&db).await?;
    let node = |db: Db, kind: &'static str, parent: Option<i64>| async move {
        let mut n = Node {
            id: Auto::new(),
            r#type: kind.into(),
            parent: parent.map(ForeignKey::new),
            links: ManyToMany::new(),
            children: Reverse::new(),
        };
        n.insert(&db).await.map(|()| n.id.value())
    };
    let root = node(db.db().clone(), "root", None).await?;
    let middle = node(db.db().clone(), "middle", Some(root)).await?;
    node(db.db().clone(), "leaf", Some(middle)).await?;
    let before = db.query_count();
    let leaf = Node::objects()
        .filter(Node::TYPE.eq("leaf"))
        .select_related(Node::PARENT.then(Node::PARENT))
        .get(&*db)
        .await?;
    assert_eq!(db.query_count() - before, 1, "one query for three levels");
    let parent = leaf.parent.as_ref().unwrap().get().unwrap();
    assert_eq!(parent.r#type, "middle");
    let grandparent = parent.parent.as_ref().unwrap().get().unwrap();
    assert_eq!(grandparent.r#type, "root");
    assert!(grandparent.parent.is_none());
    Ok(())
});
