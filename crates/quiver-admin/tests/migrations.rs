//! The admin app's migration files match its models, and every file is built into the binary.

use std::path::Path;

use quiver_orm::migrations::{MakeOptions, load_embedded, makemigrations_for_app};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// Run with `QUIVER_WRITE_MIGRATIONS=1` after changing a model to write the next migration.
#[test]
fn the_migrations_match_the_models() {
    let write = std::env::var_os("QUIVER_WRITE_MIGRATIONS").is_some();
    let options = MakeOptions { check: !write, ..MakeOptions::default() };
    // The history points at the auth app's users: its migrations come first.
    let auth = load_embedded("auth", quiver_auth::MIGRATIONS.iter().copied())
        .expect("the auth migrations load");
    let made = makemigrations_for_app("admin", &dir(), &quiver_admin::models(), &auth, &options)
        .expect("the migrations load");
    if let Some(migration) = made.migration {
        assert!(write, "the admin models changed without a migration: {}", migration.name);
    }
}

#[test]
fn every_migration_file_is_embedded() {
    let mut files: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    files.sort();
    let embedded: Vec<&str> = quiver_admin::MIGRATIONS.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, embedded);
    for (name, text) in quiver_admin::MIGRATIONS {
        let on_disk = std::fs::read_to_string(dir().join(format!("{name}.toml"))).unwrap();
        assert_eq!(&on_disk, text, "{name} differs from the embedded copy");
    }
}
