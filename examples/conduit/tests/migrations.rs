//! Conduit's migration files match its models, and every file is built into the binary.
//! Run with `QUIVER_WRITE_MIGRATIONS=1` after changing a model to write the next migration.

use quiver::orm::migrations::load_embedded;

#[test]
fn the_migrations_match_the_models_and_are_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let auth = load_embedded("auth", quiver::auth::MIGRATIONS.iter().copied()).unwrap();
    quiver::orm::testing::check_app_migrations(
        "conduit",
        &dir,
        &conduit::models::models(),
        &auth,
        conduit::MIGRATIONS,
    );
}
