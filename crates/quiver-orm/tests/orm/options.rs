//! Model and field options: explicit through models, check constraints, defaults (literal and
//! per-row), set_default, help texts, verbose names.

use quiver_orm::prelude::*;
use quiver_orm::{ErrorKind, FieldType, OnDelete, db_test};

use crate::models::*;
use crate::setup;

db_test!(explicit_through_model, |db| async move {
    setup(&db).await?;
    let mut ada = author("ada");
    ada.insert(&*db).await?;
    let mut bob = author("bob");
    bob.insert(&*db).await?;
    let mut team = Group {
        id: Auto::new(),
        name: "core".into(),
        size: 3,
        members: ManyToMany::new(),
        token: uuid::Uuid::new_v4(),
    };
    team.insert(&*db).await?;
    // Linked in the reverse of Author's default ordering (by name).
    for (who, role) in [(&bob, "dev"), (&ada, "lead")] {
        Membership {
            id: Auto::new(),
            group: ForeignKey::new(team.id.value()),
            person: ForeignKey::new(who.id.value()),
            role: role.into(),
        }
        .insert(&*db)
        .await?;
    }
    let members =
        team.members.query().order_by([Author::NAME.asc()]).values_list(&*db, Author::NAME).await?;
    assert_eq!(members, ["ada", "bob"]);
    let teams = Group::objects().prefetch_related(Group::MEMBERS).all(&*db).await?;
    let prefetched: Vec<&str> =
        teams[0].members.loaded().unwrap().iter().map(|a| a.name.as_str()).collect();
    assert_eq!(prefetched, ["ada", "bob"], "prefetched in the target's default ordering");
    let with_ada =
        Group::objects().filter(Group::MEMBERS.any(Author::NAME.eq("ada"))).count(&*db).await?;
    assert_eq!(with_ada, 1);
    Ok(())
});

db_test!(check_constraints_are_enforced, |db| async move {
    setup(&db).await?;
    let bad = Group {
        id: Auto::new(),
        name: "x".into(),
        size: -1,
        members: ManyToMany::new(),
        token: uuid::Uuid::new_v4(),
    };
    let error = bad.clone().insert(&*db).await.unwrap_err();
    assert!(matches!(error.kind(), ErrorKind::ConstraintViolation { .. }), "{error:?}");
    Ok(())
});

db_test!(defaults_in_the_schema_and_per_row, |db| async move {
    setup(&db).await?;
    let size = Group::meta().field("size").unwrap();
    assert!(size.db_default, "a literal default is in the DDL");
    assert_eq!((size.default.unwrap())(), 5i32.to_value());
    let token = Group::meta().field("token").unwrap();
    assert!(!token.db_default, "a per-row default is not");
    assert_ne!((token.default.unwrap())(), (token.default.unwrap())(), "evaluated each time");
    // The DDL default fills rows inserted without the column.
    db.execute_raw("INSERT INTO orm_group (name, token) VALUES ('raw', x'00')", []).await.ok();
    let placeholder = if db.backend() == quiver_orm::Backend::Postgres { "$1" } else { "?" };
    db.execute_raw(
        &format!("INSERT INTO orm_group (name, token) VALUES ('raw2', {placeholder})"),
        [uuid::Uuid::new_v4().to_value()],
    )
    .await?;
    let raw = Group::objects().filter(Group::NAME.eq("raw2")).get(&*db).await?;
    assert_eq!(raw.size, 5);
    Ok(())
});

db_test!(on_delete_set_default, |db| async move {
    setup(&db).await?;
    Category { code: "misc".into(), name: "Misc".into() }.insert(&*db).await?;
    let mut toys = Category { code: "toys".into(), name: "Toys".into() };
    toys.insert(&*db).await?;
    let mut pin = Pin { id: Auto::new(), category: ForeignKey::new("toys") };
    pin.insert(&*db).await?;
    if !db.backend().features().on_delete_set_default {
        // InnoDB has no SET DEFAULT: the delete is refused rather than leaving a wrong key.
        let error = toys.delete(&*db).await.unwrap_err();
        assert!(matches!(error.kind(), ErrorKind::ForeignKeyViolation { .. }), "{error:?}");
        return Ok(());
    }
    toys.delete(&*db).await?;
    pin.refresh_from_db(&*db).await?;
    assert_eq!(pin.category.id(), "misc");
    Ok(())
});

db_test!(metadata_for_admin_and_docs, |db| async move {
    let meta = Group::meta();
    assert_eq!((meta.verbose_name, meta.verbose_name_plural), ("team", "teams"));
    assert_eq!(meta.field("size").unwrap().help_text, "How many seats the team has.");
    assert_eq!(Membership::meta().field("role").unwrap().help_text, "What they do");
    assert_eq!(Author::meta().doc, "Someone who writes.");
    let pin = Pin::meta().field("category").unwrap();
    assert_eq!(pin.relation.unwrap().on_delete, OnDelete::SetDefault);
    assert_eq!(
        Article::meta().field("status").unwrap().choices,
        [("draft", "Draft"), ("published", "Published")]
    );
    assert_eq!(Profile::meta().field("priority").unwrap().choices, [("1", "Low"), ("2", "High")]);
    let _ = db;
    Ok(())
});
