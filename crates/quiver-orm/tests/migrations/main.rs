//! The autodetector and migration files, without a database: each change kind between two
//! versions of a set of models, and the property that applying the detected operations to the
//! old state gives the new one.

use quiver_orm::migrations::{
    Answers, Migration, Operation, ProjectState, Question, detect, leaves, plan, state_of,
    suggest_name,
};
use quiver_orm::prelude::*;
use quiver_orm::{ModelMeta, OnDelete};

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

/// Every kind of change at once against v1.
mod v2 {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "blog_writer", renamed_from = "Author", unique_together = [["name", "email"]])]
    pub struct Writer {
        pub id: Auto<i64>,
        #[field(max_length = 80)] // was 50
        pub name: String,
        pub email: Option<String>, // new, nullable
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
        // body removed
        #[field(default = 0)]
        pub views: i64, // new NOT NULL with a default
        pub rating: i32, // new NOT NULL without a default: needs an answer
        #[field(on_delete = protect)] // was cascade
        pub author: ForeignKey<Writer>,
        pub tags: ManyToMany<Tag>,
    }

    pub fn all() -> Vec<&'static ModelMeta> {
        vec![Writer::meta(), Tag::meta(), Article::meta()]
    }
}

fn state(models: &[&'static ModelMeta]) -> ProjectState {
    ProjectState::from_models(models)
}

/// A state without what is not schema: field order (a re-added column goes last) and rename
/// hints.
fn normalize(state: &ProjectState) -> ProjectState {
    let mut state = state.clone();
    for model in state.models.values_mut() {
        model.renamed_from = None;
        model.fields.sort_by(|a, b| a.name.cmp(&b.name));
        for field in &mut model.fields {
            field.renamed_from = None;
        }
    }
    state
}

/// Applying `ops` to `from` gives `to`.
fn assert_reaches(from: &ProjectState, to: &ProjectState, ops: &[Operation]) {
    let mut applied = from.clone();
    for op in ops {
        op.state_forwards(&mut applied).unwrap();
    }
    assert_eq!(normalize(&applied), normalize(to));
}

fn describe(ops: &[Operation]) -> Vec<String> {
    ops.iter().map(Operation::describe).collect()
}

#[test]
fn the_first_migration_creates_models_in_dependency_order() {
    let to = state(&v1::all());
    let ops = detect(&ProjectState::default(), &to, &Answers::default()).unwrap();
    assert_eq!(describe(&ops), ["Create model Author", "Create model Article"]);
    assert_eq!(suggest_name(&ops, true), "initial");
    assert_reaches(&ProjectState::default(), &to, &ops);
}

#[test]
fn no_change_no_operations() {
    let models = state(&v1::all());
    assert!(detect(&models, &models, &Answers::default()).unwrap().is_empty());
}

#[test]
fn a_new_not_null_field_without_default_needs_an_answer() {
    let (from, to) = (state(&v1::all()), state(&v2::all()));
    let questions = detect(&from, &to, &Answers::default()).unwrap_err();
    assert_eq!(
        questions,
        [Question::NeedsDefault { model: "Article".into(), field: "rating".into() }]
    );
    assert!(questions[0].to_string().contains("--default Article.rating=<json>"));
}

#[test]
fn every_change_kind_is_detected_in_a_working_order() {
    let (from, to) = (state(&v1::all()), state(&v2::all()));
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.rating".into(), serde_json::json!(3));
    let ops = detect(&from, &to, &answers).unwrap();
    assert_eq!(
        describe(&ops),
        [
            "Rename model Author to Writer",
            "Rename table for Writer to blog_writer",
            "Create model Tag",
            "Rename field title on Article to headline",
            "Remove field body from Article",
            "Add field views to Article",
            "Add field rating to Article",
            "Alter field author on Article",
            "Alter index_together for Article (1 index(es))",
            "Create constraint views_positive on model Article",
            "Add field tags to Article",
            "Alter field name on Writer",
            "Add field email to Writer",
            "Alter unique_together for Writer (1 constraint(s))",
        ]
    );
    let rating = ops.iter().find_map(|op| match op {
        Operation::AddField { field, one_off_default, .. } if field.name == "rating" => {
            one_off_default.clone()
        }
        _ => None,
    });
    assert_eq!(rating, Some(serde_json::json!(3)));
    let author = ops.iter().find_map(|op| match op {
        Operation::AlterField { field, .. } if field.name == "author" => field.relation.clone(),
        _ => None,
    });
    let author = author.unwrap();
    assert_eq!((author.to.as_str(), author.on_delete), ("Writer", OnDelete::Protect));
    assert_reaches(&from, &to, &ops);
}

#[test]
fn reverse_direction_deletes_dependents_first() {
    let (from, to) = (state(&v2::all()), state(&v1::all()));
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.body".into(), serde_json::json!(""));
    answers.one_off_defaults.insert("Article.title".into(), serde_json::json!(""));
    answers.one_off_defaults.insert("Author.name".into(), serde_json::json!(""));
    let ops = detect(&from, &to, &answers).unwrap();
    let described = describe(&ops);
    // Author is new here (no rename hint going back), Writer and Tag go away at the end.
    assert_eq!(described.first().map(String::as_str), Some("Create model Author"));
    let tail: Vec<&str> = described.iter().rev().take(2).map(String::as_str).collect();
    assert!(
        tail.contains(&"Delete model Writer") && tail.contains(&"Delete model Tag"),
        "{described:?}"
    );
    assert_reaches(&from, &to, &ops);
}

#[test]
fn single_field_changes_are_each_detected() {
    let base = state(&v1::all());
    type Change = Box<dyn Fn(&mut ProjectState)>;
    let variants: Vec<(&str, Change, &str)> = vec![
        (
            "max_length",
            Box::new(|s| s.models.get_mut("Article").unwrap().fields[1].max_length = Some(200)),
            "Alter field title on Article",
        ),
        (
            "null",
            Box::new(|s| s.models.get_mut("Article").unwrap().fields[2].null = true),
            "Alter field body on Article",
        ),
        (
            "unique",
            Box::new(|s| s.models.get_mut("Author").unwrap().fields[1].unique = true),
            "Alter field name on Author",
        ),
        (
            "index",
            Box::new(|s| s.models.get_mut("Author").unwrap().fields[1].index = true),
            "Alter field name on Author",
        ),
        (
            "default",
            Box::new(|s| {
                s.models.get_mut("Article").unwrap().fields[2].default =
                    Some(serde_json::json!("-"))
            }),
            "Alter field body on Article",
        ),
        (
            "type",
            Box::new(|s| {
                s.models.get_mut("Article").unwrap().fields[2].column_type =
                    quiver_orm::ColumnType::Json
            }),
            "Alter field body on Article",
        ),
        (
            "table",
            Box::new(|s| s.models.get_mut("Article").unwrap().table = "posts".into()),
            "Rename table for Article to posts",
        ),
        (
            "remove",
            Box::new(|s| {
                s.models.get_mut("Article").unwrap().fields.remove(2);
            }),
            "Remove field body from Article",
        ),
        (
            "delete",
            Box::new(|s| {
                s.models.remove("Article");
            }),
            "Delete model Article",
        ),
    ];
    for (what, change, expected) in variants {
        let mut to = base.clone();
        change(&mut to);
        let ops = detect(&base, &to, &Answers::default()).unwrap();
        assert_eq!(describe(&ops), [expected], "{what}");
        assert_reaches(&base, &to, &ops);
    }
}

#[test]
fn files_render_reviewably_and_read_back() {
    let to = state(&v1::all());
    let ops = detect(&ProjectState::default(), &to, &Answers::default()).unwrap();
    let migration = Migration {
        app: String::new(),
        name: "0001_initial".into(),
        dependencies: vec![],
        operations: ops,
    };
    let text = migration.render();
    insta::assert_snapshot!(text);
    assert_eq!(Migration::parse("0001_initial", &text).unwrap(), migration);
    // The state rebuilt from the files matches the models: makemigrations --check is clean.
    let rebuilt = state_of(&[migration]).unwrap();
    assert!(detect(&rebuilt, &to, &Answers::default()).unwrap().is_empty());
}

#[test]
fn plans_follow_dependencies_and_report_what_is_wrong() {
    let m = |name: &str, deps: &[&str]| Migration {
        app: String::new(),
        name: name.into(),
        dependencies: deps.iter().map(|d| (*d).to_owned()).collect(),
        operations: vec![],
    };
    let set = vec![m("0003_c", &["0002_b"]), m("0001_a", &[]), m("0002_b", &["0001_a"])];
    let order: Vec<&str> = plan(&set).unwrap().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(order, ["0001_a", "0002_b", "0003_c"]);
    assert_eq!(leaves(&set), ["0003_c"]);
    let branched = vec![m("0001_a", &[]), m("0002_x", &["0001_a"]), m("0002_y", &["0001_a"])];
    assert_eq!(leaves(&branched), ["0002_x", "0002_y"], "two leaves: a merge is needed");
    let missing = plan(&[m("0002_b", &["0001_gone"])]).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("depends on 0001_gone, which is not among the migration files")
    );
    let cycle = plan(&[m("a", &["b"]), m("b", &["a"])]).unwrap_err();
    assert!(cycle.to_string().contains("cycle"));
}

#[test]
fn every_operation_reverses_back_to_the_state_before() {
    let (from, to) = (state(&v1::all()), state(&v2::all()));
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.rating".into(), serde_json::json!(3));
    let mut ops = detect(&from, &to, &answers).unwrap();
    ops.push(Operation::RunSql {
        sql: "UPDATE x SET y = 1".into(),
        reverse_sql: Some("UPDATE x SET y = 0".into()),
    });
    ops.push(Operation::RemoveConstraint {
        model: "Article".into(),
        name: "views_positive".into(),
    });
    ops.push(Operation::RemoveManyToMany { model: "Article".into(), name: "tags".into() });
    ops.push(Operation::RemoveField { model: "Article".into(), name: "rating".into() });
    ops.push(Operation::DeleteModel { name: "Article".into() });
    // Forwards, remembering each state; then each reverse, last first.
    let mut states = vec![from.clone()];
    for op in &ops {
        let mut next = states.last().unwrap().clone();
        op.state_forwards(&mut next).unwrap();
        states.push(next);
    }
    let mut state = states.last().unwrap().clone();
    for (op, before) in ops.iter().zip(&states).rev() {
        op.reverse(before).unwrap().state_forwards(&mut state).unwrap();
        assert_eq!(normalize(&state), normalize(before), "after reversing {}", op.describe());
    }
    let readded = Operation::RemoveField { model: "Article".into(), name: "rating".into() }
        .reverse(&states[7])
        .unwrap();
    assert!(
        matches!(readded, Operation::AddField { one_off_default: Some(v), .. } if v == 0),
        "a zero for old rows"
    );
    let irreversible = Operation::RunSql { sql: "DELETE FROM x".into(), reverse_sql: None };
    assert!(irreversible.reverse(&from).unwrap_err().to_string().contains("cannot be undone"));
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("quiver-makemigrations-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn makemigrations_writes_numbered_files_and_checks() {
    use quiver_orm::migrations::{MakeOptions, load_dir, makemigrations, sqlmigrate};
    let dir = temp_dir("cycle");
    let first = makemigrations(&dir, &v1::all(), &MakeOptions::default()).unwrap();
    assert_eq!(first.path.unwrap(), dir.join("0001_initial.toml"));
    assert!(
        makemigrations(&dir, &v1::all(), &MakeOptions::default()).unwrap().migration.is_none(),
        "no changes"
    );

    let refused = makemigrations(&dir, &v2::all(), &MakeOptions::default()).unwrap_err();
    assert!(
        refused.to_string().contains("Article.rating is a new NOT NULL field without a default"),
        "{refused}"
    );
    let check = makemigrations(
        &dir,
        &v2::all(),
        &MakeOptions { check: true, answers: answers(), ..Default::default() },
    )
    .unwrap();
    assert!(check.migration.is_some() && check.path.is_none(), "--check reports without writing");

    let second =
        makemigrations(&dir, &v2::all(), &MakeOptions { answers: answers(), ..Default::default() })
            .unwrap();
    let second = second.migration.unwrap();
    assert_eq!(second.name, "0002_rename_author_writer_and_more");
    assert_eq!(second.dependencies, ["0001_initial"]);
    insta::assert_snapshot!(
        std::fs::read_to_string(dir.join("0002_rename_author_writer_and_more.toml")).unwrap()
    );
    assert!(
        makemigrations(&dir, &v2::all(), &MakeOptions { check: true, ..Default::default() })
            .unwrap()
            .migration
            .is_none()
    );

    let empty = makemigrations(
        &dir,
        &v2::all(),
        &MakeOptions { empty: true, name: Some("backfill".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(empty.migration.unwrap().name, "0003_backfill");

    let files = load_dir(&dir).unwrap();
    let sql =
        sqlmigrate(quiver_orm::Backend::Postgres, &files, "0002_rename_author_writer_and_more")
            .unwrap();
    assert!(sql.iter().any(|s| s.contains("RENAME COLUMN \"title\" TO \"headline\"")), "{sql:#?}");
    let sqlite =
        sqlmigrate(quiver_orm::Backend::Sqlite, &files, "0002_rename_author_writer_and_more")
            .unwrap();
    assert!(
        sqlite.iter().any(|s| s.starts_with("INSERT INTO \"blog_article__new\"")),
        "a table rebuild: {sqlite:#?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn answers() -> Answers {
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.rating".into(), serde_json::json!(3));
    answers
}

#[test]
fn two_leaves_need_a_merge() {
    use quiver_orm::migrations::{MakeOptions, makemigrations};
    let dir = temp_dir("merge");
    makemigrations(&dir, &v1::all(), &MakeOptions::default()).unwrap();
    for branch in ["0002_a", "0002_b"] {
        let m = Migration {
            app: String::new(),
            name: branch.into(),
            dependencies: vec!["0001_initial".into()],
            operations: vec![],
        };
        std::fs::write(dir.join(format!("{branch}.toml")), m.render()).unwrap();
    }
    let error = makemigrations(&dir, &v1::all(), &MakeOptions::default()).unwrap_err();
    assert!(
        error.to_string().contains("0002_a and 0002_b are all leaves; run makemigrations --merge"),
        "{error}"
    );
    let merged =
        makemigrations(&dir, &v1::all(), &MakeOptions { merge: true, ..Default::default() })
            .unwrap();
    let merged = merged.migration.unwrap();
    assert_eq!((merged.name.as_str(), merged.dependencies.len()), ("0003_merge", 2));
    assert!(makemigrations(&dir, &v1::all(), &MakeOptions::default()).unwrap().migration.is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn renames_without_attributes_are_candidates_and_answers_make_them_renames() {
    use quiver_orm::migrations::{RenameCandidate, rename_candidates};
    let from = state(&v1::all());
    let mut to = from.clone();
    // Article.title becomes Article.heading (no attribute), Author becomes Person (no attribute).
    {
        let article = to.models.get_mut("Article").unwrap();
        let title = article.fields.iter_mut().find(|f| f.name == "title").unwrap();
        title.name = "heading".into();
        title.column = "heading".into();
    }
    let mut person = to.models.remove("Author").unwrap();
    person.name = "Person".into();
    to.models.insert("Person".into(), person);
    for field in &mut to.models.get_mut("Article").unwrap().fields {
        if let Some(relation) = &mut field.relation {
            relation.to = "Person".into();
        }
    }
    let candidates = rename_candidates(&from, &to);
    assert!(
        candidates.contains(&RenameCandidate::Model { old: "Author".into(), new: "Person".into() }),
        "{candidates:?}"
    );
    assert!(
        candidates.contains(&RenameCandidate::Field {
            model: "Article".into(),
            old: "title".into(),
            new: "heading".into()
        }),
        "{candidates:?}"
    );
    // Unanswered: a removal and an addition (as Django's non-interactive mode).
    let mut answers = Answers::default();
    answers.one_off_defaults.insert("Article.heading".into(), serde_json::json!(""));
    answers.one_off_defaults.insert("Person.name".into(), serde_json::json!(""));
    let ops = detect(&from, &to, &answers).unwrap();
    assert!(describe(&ops).contains(&"Remove field title from Article".to_owned()));
    // Answered: renames, nothing lost.
    answers.renamed_fields.insert("Article.title".into(), "heading".into());
    answers.renamed_models.insert("Author".into(), "Person".into());
    let ops = detect(&from, &to, &answers).unwrap();
    assert_eq!(
        describe(&ops),
        ["Rename model Author to Person", "Rename field title on Article to heading"]
    );
    assert_reaches(&from, &to, &ops);
}

#[test]
fn a_moved_join_table_is_renamed_not_dropped() {
    use quiver_orm::migrations::forwards_sql;
    let from = state(&v2::all());
    let mut to = from.clone();
    let article = to.models.get_mut("Article").unwrap();
    article.table = "posts".into();
    article.many_to_many[0].table = Some("posts_tags".into());
    let ops = detect(&from, &to, &Answers::default()).unwrap();
    assert_eq!(
        describe(&ops),
        [
            "Rename table for Article to posts",
            "Rename the join table of Article.tags to posts_tags"
        ]
    );
    assert_reaches(&from, &to, &ops);
    let mut middle = from.clone();
    ops[0].state_forwards(&mut middle).unwrap();
    let sql = forwards_sql(quiver_orm::Backend::Sqlite, &ops[1], &middle, &to).unwrap();
    assert_eq!(sql, ["ALTER TABLE \"blog_article_tags\" RENAME TO \"posts_tags\""]);
    let back = ops[1].reverse(&middle).unwrap();
    assert!(
        matches!(back, Operation::AlterManyToManyTable { table, .. } if table == "blog_article_tags")
    );
}

#[test]
fn groups_and_checks_lose_a_field_before_the_field_goes() {
    let from = state(&v2::all());
    let mut to = from.clone();
    let writer = to.models.get_mut("Writer").unwrap();
    writer.fields.retain(|f| f.name != "email");
    writer.unique_together.clear();
    let ops = detect(&from, &to, &Answers::default()).unwrap();
    assert_eq!(
        describe(&ops),
        ["Alter unique_together for Writer (0 constraint(s))", "Remove field email from Writer"]
    );
    assert_reaches(&from, &to, &ops);
}

#[test]
fn a_column_renamed_by_an_alter_keeps_its_data() {
    use quiver_orm::migrations::forwards_sql;
    let from = state(&v1::all());
    let mut to = from.clone();
    let body =
        to.models.get_mut("Article").unwrap().fields.iter_mut().find(|f| f.name == "body").unwrap();
    body.column = "content".into();
    let ops = detect(&from, &to, &Answers::default()).unwrap();
    assert_eq!(describe(&ops), ["Alter field body on Article"]);
    let sqlite = forwards_sql(quiver_orm::Backend::Sqlite, &ops[0], &from, &to).unwrap();
    let copy = sqlite.iter().find(|s| s.starts_with("INSERT")).unwrap();
    assert!(
        copy.contains("\"content\"") && copy.contains("SELECT") && copy.contains("\"body\""),
        "{copy}"
    );
    let postgres = forwards_sql(quiver_orm::Backend::Postgres, &ops[0], &from, &to).unwrap();
    assert_eq!(postgres[0], "ALTER TABLE \"blog_article\" RENAME COLUMN \"body\" TO \"content\"");
}

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

#[test]
fn new_models_pointing_at_each_other_are_created_then_linked() {
    let to = state(&[cycle::Team::meta(), cycle::Player::meta()]);
    let ops = detect(&ProjectState::default(), &to, &Answers::default()).unwrap();
    let described = describe(&ops);
    assert_eq!(described.len(), 3, "{described:?}");
    assert!(described[0].starts_with("Create model") && described[1].starts_with("Create model"));
    assert!(
        described[2].starts_with("Add field"),
        "the link that closes the cycle comes last: {described:?}"
    );
    assert_reaches(&ProjectState::default(), &to, &ops);
    // And the SQL of every step can be written (each relation's target exists by then).
    let mut state = ProjectState::default();
    for op in &ops {
        let mut next = state.clone();
        op.state_forwards(&mut next).unwrap();
        quiver_orm::migrations::forwards_sql(quiver_orm::Backend::Postgres, op, &state, &next)
            .unwrap();
        state = next;
    }
}
