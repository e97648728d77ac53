//! Conduit's migration files match its models, and every file is built into the binary.

use std::path::Path;

use quiver::orm::migrations::{MakeOptions, load_embedded, makemigrations_for_app};

fn dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// Run with `QUIVER_WRITE_MIGRATIONS=1` after changing a model to write the next migration.
#[test]
fn the_migrations_match_the_models() {
    let write = std::env::var_os("QUIVER_WRITE_MIGRATIONS").is_some();
    let options = MakeOptions { check: !write, ..MakeOptions::default() };
    let auth = load_embedded("auth", quiver::auth::MIGRATIONS.iter().copied()).unwrap();
    let made =
        makemigrations_for_app("conduit", &dir(), &conduit::models::models(), &auth, &options)
            .expect("the migrations load");
    if let Some(migration) = made.migration {
        assert!(write, "the models changed without a migration: {}", migration.name);
    }
}

#[test]
fn every_migration_file_is_embedded() {
    for (name, text) in conduit::MIGRATIONS {
        let on_disk = std::fs::read_to_string(dir().join(format!("{name}.toml"))).unwrap();
        assert_eq!(&on_disk, text, "{name} differs from the embedded copy");
    }
    assert_eq!(std::fs::read_dir(dir()).unwrap().count(), conduit::MIGRATIONS.len());
}
