//! Migrations end to end on every backend: create, evolve with data present (rename a model
//! and its table, rename a field, drop one, add required fields with defaults, change a
//! length, change on_delete, add a many-to-many, a check and a composite index), back to
//! zero and forward again.

use quiver_orm::migrations::{
    Answers, Migration, ProjectState, Target, applied, detect, migrate, plan_for, state_of,
};
use quiver_orm::prelude::*;
use quiver_orm::{ModelMeta, db_test};

mod v1 {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "blog_author")]
    pub struct Author {
        pub id: Auto<i64>,
        #[field(max_length = 50)]
        pub name: String,
    }

    #[derive(Model, Debug)]
    #[model(table = "blog_article")]
    pub struct Article {
        pub id: Auto<i64>,
        #[field(max_length = 100)]
        pub title: String,
        pub body: String,
        #[field(on_delete = cascade)]
        pub author: ForeignKey<Author>,
    }

    pub fn all() -> Vec<&'static ModelMeta> {
        vec![Author::meta(), Article::meta()]
    }
}

mod v2 {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "blog_writer", renamed_from = "Author", unique_together = [["name", "email"]])]
    pub struct Writer {
        pub id: Auto<i64>,
        #[field(max_length = 80)]
        pub name: String,
        #[field(max_length = 100)]
        pub email: Option<String>,
    }

    #[derive(Model, Debug, Clone)]
    #[model(table = "blog_tag")]
    pub struct Tag {
        pub id: Auto<i64>,
        #[field(max_length = 20, unique)]
        pub name: String,
    }

    #[derive(Model, Debug)]
    #[model(
        table = "blog_article",
        index_together = [["headline", "views"]],
        check(name = "views_positive", sql = "views >= 0")
    )]
    pub struct Article {
        pub id: Auto<i64>,
        #[field(max_length = 100, renamed_from = "title")]
        pub headline: String,
        #[field(default = 0)]
        pub views: i64,
        pub rating: i32,
        #[field(on_delete = protect)]
        pub author: ForeignKey<Writer>,
        pub tags: ManyToMany<Tag>,
    }

    pub fn all() -> Vec<&'static ModelMeta> {
        vec![Writer::meta(), Tag::meta(), Article::meta()]
    }
}

fn migrations() -> Vec<Migration> {
    let s1 = ProjectState::from_models(&v1::all());
    let s2 = ProjectState::from_models(&v2::all());
    let first = detect(&ProjectState::default(), &s1, &Answers::default()).unwrap();
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.rating".into(), serde_json::json!(3));
    let second = detect(&s1, &s2, &answers).unwrap();
    // Through text, as from the files in a repository.
    [
        ("0001_initial", vec![], first),
        ("0002_writers_and_tags", vec!["0001_initial".to_owned()], second),
    ]
    .into_iter()
    .map(|(name, dependencies, operations)| {
        let text =
            Migration { app: String::new(), name: name.into(), dependencies, operations }.render();
        Migration::parse(name, &text).unwrap()
    })
    .collect()
}

db_test!(migrations_evolve_data_and_go_back, |db| async move {
    let files = migrations();
    let plan = plan_for(&db, &files[..1], &Target::Latest).await?;
    assert_eq!(plan, [("0001_initial".to_owned(), true)]);
    migrate(&db, &files[..1], &Target::Latest, false).await?;
    assert_eq!(applied(&db).await?, ["0001_initial"]);

    let mut ada = v1::Author { id: Auto::new(), name: "Ada".into() };
    ada.insert(&*db).await?;
    for (title, body) in [("Notes", "on the engine"), ("Sketch", "of a loom")] {
        v1::Article {
            id: Auto::new(),
            title: title.into(),
            body: body.into(),
            author: ForeignKey::new(ada.id.value()),
        }
        .insert(&*db)
        .await?;
    }

    migrate(&db, &files, &Target::Latest, false).await?;
    assert_eq!(applied(&db).await?, ["0001_initial", "0002_writers_and_tags"]);
    // The data went along: renamed model and table, renamed field, defaults for new columns.
    let writers = v2::Writer::objects().all(&*db).await?;
    assert_eq!(writers.len(), 1);
    assert_eq!((writers[0].name.as_str(), writers[0].email.as_deref()), ("Ada", None));
    let articles = v2::Article::objects().order_by([v2::Article::HEADLINE.asc()]).all(&*db).await?;
    let rows: Vec<_> = articles.iter().map(|a| (a.headline.as_str(), a.views, a.rating)).collect();
    assert_eq!(rows, [("Notes", 0, 3), ("Sketch", 0, 3)]);
    let mut rust = v2::Tag { id: Auto::new(), name: "rust".into() };
    rust.insert(&*db).await?;
    articles[0].tags.add(&*db, [&rust]).await?;
    // The new schema holds: 80 characters fit now, the check refuses negative views, the
    // writer is protected.
    let mut long = v2::Writer { id: Auto::new(), name: "x".repeat(80), email: None };
    long.insert(&*db).await?;
    let negative = v2::Article::objects().update().set(v2::Article::VIEWS, -1).execute(&*db).await;
    assert!(negative.is_err(), "views_positive");
    assert!(writers[0].delete(&*db).await.is_err(), "on_delete = protect");
    // The state rebuilt from the files matches the models: nothing left to migrate.
    let state = state_of(&files)?;
    assert!(
        detect(&state, &ProjectState::from_models(&v2::all()), &Answers::default())
            .unwrap()
            .is_empty()
    );

    // Back one step. On PostgreSQL a name too long for the old column stops it (never
    // truncated) and the transaction leaves everything as it was. (MySQL refuses too, but
    // commits each DDL statement as it goes, so this test does not try it there.)
    let back = Target::Migration("0001_initial".into());
    if db.backend() == quiver_orm::Backend::Postgres {
        assert!(
            migrate(&db, &files, &back, false).await.is_err(),
            "80 characters do not fit in 50"
        );
        assert_eq!(applied(&db).await?.len(), 2, "nothing was unapplied");
    }
    long.delete(&*db).await?;
    migrate(&db, &files, &back, false).await?;
    let titles = v1::Article::objects()
        .order_by([v1::Article::TITLE.asc()])
        .values_list(&*db, v1::Article::TITLE)
        .await?;
    assert_eq!(titles, ["Notes", "Sketch"]);
    // To zero, then forward again from nothing.
    migrate(&db, &files, &Target::Zero, false).await?;
    assert!(applied(&db).await?.is_empty());
    assert!(v1::Author::objects().count(&*db).await.is_err(), "the tables are gone");
    migrate(&db, &files, &Target::Latest, false).await?;
    assert_eq!(v2::Article::objects().count(&*db).await?, 0);
    Ok(())
});

db_test!(a_database_ahead_of_the_code_is_refused, |db| async move {
    let files = migrations();
    migrate(&db, &files, &Target::Latest, false).await?;
    let error = migrate(&db, &files[..1], &Target::Latest, false).await.unwrap_err();
    assert!(error.to_string().contains("database is ahead of the code"), "{error}");
    let error =
        migrate(&db, &files, &Target::Migration("0009_nope".into()), false).await.unwrap_err();
    assert!(error.to_string().contains("no migration named 0009_nope"), "{error}");
    Ok(())
});

db_test!(fake_records_without_running, |db| async move {
    let files = migrations();
    migrate(&db, &files[..1], &Target::Latest, true).await?;
    assert_eq!(applied(&db).await?, ["0001_initial"]);
    assert!(v1::Author::objects().count(&*db).await.is_err(), "nothing was created");
    Ok(())
});

db_test!(data_migrations_run_registered_rust_both_ways, |db| async move {
    use quiver_orm::migrations::{Operation, register_rust};
    register_rust("test.bump_ratings", |db| {
        Box::pin(async move {
            db.execute_raw("UPDATE blog_article SET rating = rating + 10", []).await.map(drop)
        })
    });
    register_rust("test.unbump_ratings", |db| {
        Box::pin(async move {
            db.execute_raw("UPDATE blog_article SET rating = rating - 10", []).await.map(drop)
        })
    });
    let mut files = migrations();
    files.push(Migration {
        app: String::new(),
        name: "0003_bump".into(),
        dependencies: vec!["0002_writers_and_tags".into()],
        operations: vec![Operation::RunRust {
            name: "test.bump_ratings".into(),
            reverse: Some("test.unbump_ratings".into()),
        }],
    });
    migrate(&db, &files[..2], &Target::Latest, false).await?;
    let mut writer = v2::Writer { id: Auto::new(), name: "Ada".into(), email: None };
    writer.insert(&*db).await?;
    v2::Article {
        id: Auto::new(),
        headline: "h".into(),
        views: 0,
        rating: 1,
        author: ForeignKey::new(writer.id.value()),
        tags: ManyToMany::new(),
    }
    .insert(&*db)
    .await?;
    migrate(&db, &files, &Target::Latest, false).await?;
    assert_eq!(v2::Article::objects().get(&*db).await?.rating, 11);
    migrate(&db, &files, &Target::Migration("0002_writers_and_tags".into()), false).await?;
    assert_eq!(v2::Article::objects().get(&*db).await?.rating, 1);
    files[2].operations =
        vec![Operation::RunRust { name: "test.not_registered".into(), reverse: None }];
    let error = migrate(&db, &files, &Target::Latest, false).await.unwrap_err();
    assert!(error.to_string().contains("register_rust"), "{error}");
    Ok(())
});

mod apps {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "auth_user")]
    pub struct User {
        pub id: Auto<i64>,
        #[field(max_length = 30, unique)]
        pub username: String,
    }

    #[derive(Model, Debug)]
    #[model(table = "blog_entry")]
    pub struct Entry {
        pub id: Auto<i64>,
        #[field(on_delete = cascade)]
        pub author: ForeignKey<User>,
    }
}

db_test!(apps_have_their_own_folders_and_depend_on_each_other, |db| async move {
    use quiver_orm::migrations::{MakeOptions, load_app, makemigrations_for_app, showmigrations};
    let root =
        std::env::temp_dir().join(format!("quiver-apps-{}-{:?}", std::process::id(), db.backend()));
    let _ = std::fs::remove_dir_all(&root);
    let (auth_dir, blog_dir) = (root.join("auth"), root.join("blog"));
    makemigrations_for_app("auth", &auth_dir, &[apps::User::meta()], &[], &MakeOptions::default())?;
    let auth = load_app("auth", &auth_dir)?;
    let made = makemigrations_for_app(
        "blog",
        &blog_dir,
        &[apps::Entry::meta()],
        &auth,
        &MakeOptions::default(),
    )?;
    assert_eq!(made.migration.unwrap().dependencies, ["auth.0001_initial"]);
    let mut all = auth.clone();
    all.extend(load_app("blog", &blog_dir)?);
    // The blog app's migration runs after auth's, whatever order the folders are read in.
    all.reverse();
    let ran = migrate(&db, &all, &Target::Latest, false).await?;
    let names: Vec<&str> = ran.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["auth.0001_initial", "blog.0001_initial"]);
    let mut ada = apps::User { id: Auto::new(), username: "ada".into() };
    ada.insert(&*db).await?;
    apps::Entry { id: Auto::new(), author: ForeignKey::new(ada.id.value()) }.insert(&*db).await?;
    let shown = showmigrations(&db, &all).await?;
    assert!(shown.iter().all(|(_, applied)| *applied));
    // No change: nothing to write for either app.
    let again = makemigrations_for_app(
        "blog",
        &blog_dir,
        &[apps::Entry::meta()],
        &auth,
        &MakeOptions::default(),
    )?;
    assert!(again.migration.is_none());
    // A later auth migration: targets are per app, other apps are left alone.
    all.push(Migration {
        app: "auth".into(),
        name: "0002_noop".into(),
        dependencies: vec!["0001_initial".into()],
        operations: vec![quiver_orm::migrations::Operation::RunSql {
            sql: "SELECT 1".into(),
            reverse_sql: Some("SELECT 1".into()),
        }],
    });
    migrate(&db, &all, &Target::Latest, false).await?;
    let none = migrate(&db, &all, &Target::Migration("blog.0001_initial".into()), false).await?;
    assert!(none.is_empty(), "auth.0002 is another app's: {none:?}");
    let one = migrate(&db, &all, &Target::Migration("auth.0001_initial".into()), false).await?;
    assert_eq!(one, [("auth.0002_noop".to_owned(), false)], "blog does not depend on it");
    let ambiguous =
        migrate(&db, &all, &Target::Migration("0001_initial".into()), false).await.unwrap_err();
    assert!(ambiguous.to_string().contains("ambiguous"), "{ambiguous}");
    all.pop();
    let back = migrate(&db, &all, &Target::Zero, false).await?;
    let names: Vec<&str> = back.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["blog.0001_initial", "auth.0001_initial"], "dependents first");
    std::fs::remove_dir_all(&root).unwrap();
    Ok(())
});

mod cycle {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "cycle_team")]
    pub struct Team {
        pub id: Auto<i64>,
        #[field(on_delete = set_null)]
        pub captain: Option<ForeignKey<Player>>,
    }

    #[derive(Model, Debug)]
    #[model(table = "cycle_player")]
    pub struct Player {
        pub id: Auto<i64>,
        #[field(on_delete = cascade)]
        pub team: ForeignKey<Team>,
    }
}

db_test!(models_pointing_at_each_other_migrate_both_ways, |db| async move {
    let to = ProjectState::from_models(&[cycle::Team::meta(), cycle::Player::meta()]);
    let operations = detect(&ProjectState::default(), &to, &Answers::default()).unwrap();
    let files = vec![Migration {
        app: String::new(),
        name: "0001_initial".into(),
        dependencies: vec![],
        operations,
    }];
    migrate(&db, &files, &Target::Latest, false).await?;
    let mut team = cycle::Team { id: Auto::new(), captain: None };
    team.insert(&*db).await?;
    let mut player = cycle::Player { id: Auto::new(), team: ForeignKey::new(team.id.value()) };
    player.insert(&*db).await?;
    team.captain = Some(ForeignKey::new(player.id.value()));
    team.save(&*db).await?;
    let loaded = cycle::Team::objects().select_related(cycle::Team::CAPTAIN).get(&*db).await?;
    assert_eq!(loaded.captain.unwrap().get().unwrap().id, player.id);
    migrate(&db, &files, &Target::Zero, false).await?;
    Ok(())
});
