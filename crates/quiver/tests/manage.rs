//! The schema commands as a user runs them: help text (snapshot), makemigrations with its
//! flags and questions, migrate, showmigrations, sqlmigrate.

use quiver::prelude::*;

mod before {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "shop_item")]
    pub struct Item {
        pub id: Auto<i64>,
        #[field(max_length = 40)]
        pub title: String,
    }
}

mod after {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "shop_item")]
    pub struct Item {
        pub id: Auto<i64>,
        #[field(max_length = 40)]
        pub label: String, // was `title`, no attribute: makemigrations asks
        pub price: i64, // NOT NULL without a default: a one-off default is needed
    }
}

struct Project {
    dir: std::path::PathBuf,
}

impl Project {
    fn new(name: &str) -> Project {
        let dir = std::env::temp_dir().join(format!("quiver-manage-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Project { dir }
    }

    async fn run(
        &self,
        models: &[&'static quiver::orm::ModelMeta],
        command: &str,
        input: &str,
    ) -> (i32, String) {
        let db = format!("sqlite://{}", self.dir.join("db.sqlite3").display());
        let migrations = self.dir.join("migrations");
        let mut args = vec!["manage".to_owned(), "--database".into(), db, "--migrations".into()];
        args.push(migrations.display().to_string());
        args.extend(command.split_whitespace().map(String::from));
        let mut out = Vec::new();
        let status = quiver::manage::run(models, args, &mut input.as_bytes(), &mut out).await;
        (status, String::from_utf8(out).unwrap())
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn help_is_snapshot_tested() {
    let project = Project::new("help");
    let (status, help) = project.run(&[], "--help", "").await;
    assert_eq!(status, 0);
    insta::assert_snapshot!(
        "manage_help",
        help.replace(&project.dir.display().to_string(), "<dir>")
    );
    let (_, help) = project.run(&[], "makemigrations --help", "").await;
    insta::assert_snapshot!("makemigrations_help", help);
    let (status, error) = project.run(&[], "migrate --bogus", "").await;
    assert_eq!(status, 2);
    assert!(error.contains("unexpected argument '--bogus'"), "{error}");
}

#[tokio::test]
async fn the_schema_cycle_from_the_command_line() {
    let project = Project::new("cycle");
    let v1 = [before::Item::meta()];
    let v2 = [after::Item::meta()];
    let (status, out) = project.run(&v1, "makemigrations", "").await;
    assert_eq!((status, out.as_str()), (0, "Migration 0001_initial:\n  - Create model Item\n"));
    let (status, out) = project.run(&v1, "makemigrations --check", "").await;
    assert_eq!((status, out.as_str()), (0, "No changes detected\n"));
    let (status, out) = project.run(&v1, "migrate", "").await;
    assert_eq!((status, out.as_str()), (0, "Applied 0001_initial\n"));

    let (status, out) = project.run(&v2, "makemigrations --check", "").await;
    assert_eq!(status, 1, "CI fails while models and migrations disagree: {out}");
    // The question about the rename, answered yes; the missing default is refused until given.
    let (status, out) = project.run(&v2, "makemigrations", "y\n").await;
    assert_eq!(status, 1);
    assert!(out.contains("Was Item.title renamed to Item.label? [y/N]"), "{out}");
    assert!(out.contains("Item.price is a new NOT NULL field without a default"), "{out}");
    let (status, out) =
        project.run(&v2, "makemigrations --default Item.price=0 --name price", "y\n").await;
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Migration 0002_price:\n  - Rename field title on Item to label\n  - Add field price to Item"), "{out}");

    let (_, out) = project.run(&v2, "migrate --plan", "").await;
    assert_eq!(out, "Would apply 0002_price\n");
    let (_, out) = project.run(&v2, "sqlmigrate 0002_price --backend postgres", "").await;
    assert!(
        out.contains("ALTER TABLE \"shop_item\" RENAME COLUMN \"title\" TO \"label\";"),
        "{out}"
    );
    let (status, _) = project.run(&v2, "migrate", "").await;
    assert_eq!(status, 0);
    let (_, out) = project.run(&v2, "showmigrations", "").await;
    assert_eq!(out, " [X] 0001_initial\n [X] 0002_price\n");
    let (status, out) = project.run(&v2, "migrate zero", "").await;
    assert_eq!((status, out.as_str()), (0, "Unapplied 0002_price\nUnapplied 0001_initial\n"));
    let (status, out) = project.run(&v2, "migrate 0009_nope", "").await;
    assert_eq!(status, 1);
    assert!(out.contains("there is no migration named 0009_nope"), "{out}");
}

mod accounts {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "accounts_user")]
    pub struct User {
        pub id: Auto<i64>,
        #[field(max_length = 30)]
        pub username: String,
    }
}

mod notes {
    use super::*;

    #[derive(Model, Debug)]
    #[model(table = "notes_note")]
    pub struct Note {
        pub id: Auto<i64>,
        #[field(on_delete = cascade)]
        pub owner: ForeignKey<accounts::User>,
    }
}

#[tokio::test]
async fn several_apps_from_the_command_line() {
    use quiver::manage::{App, run_apps};
    let project = Project::new("apps");
    let apps = [
        App {
            embedded: None,
            label: "accounts",
            dir: Some(project.dir.join("accounts")),
            models: vec![accounts::User::meta()],
        },
        App {
            embedded: None,
            label: "notes",
            dir: Some(project.dir.join("notes")),
            models: vec![notes::Note::meta()],
        },
    ];
    let run = |command: &str| {
        let db = format!("sqlite://{}", project.dir.join("db.sqlite3").display());
        let mut args = vec!["manage".to_owned(), "--database".into(), db];
        args.extend(command.split_whitespace().map(String::from));
        args
    };
    let mut out = Vec::new();
    assert_eq!(run_apps(&apps, run("makemigrations"), &mut "".as_bytes(), &mut out).await, 0);
    let printed = String::from_utf8(std::mem::take(&mut out)).unwrap();
    assert_eq!(
        printed,
        "Migration 0001_initial:\n  - Create model User\nMigration 0001_initial:\n  - Create model Note\n"
    );
    let notes_file = std::fs::read_to_string(project.dir.join("notes/0001_initial.toml")).unwrap();
    assert!(notes_file.contains("dependencies = [\"accounts.0001_initial\"]"), "{notes_file}");
    assert_eq!(run_apps(&apps, run("migrate"), &mut "".as_bytes(), &mut out).await, 0);
    let printed = String::from_utf8(std::mem::take(&mut out)).unwrap();
    assert_eq!(printed, "Applied accounts.0001_initial\nApplied notes.0001_initial\n");
    assert_eq!(run_apps(&apps, run("makemigrations nope"), &mut "".as_bytes(), &mut out).await, 1);
    assert!(String::from_utf8(out).unwrap().contains("there is no app labelled \"nope\""));
}
