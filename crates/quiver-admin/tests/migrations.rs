//! The admin app's migration files match its models, and every file is built into the binary.
//! Run with `QUIVER_WRITE_MIGRATIONS=1` after changing a model to write the next migration.

use quiver_orm::migrations::load_embedded;

#[test]
fn the_migrations_match_the_models_and_are_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    // The history points at the auth app's users: its migrations come first.
    let auth = load_embedded("auth", quiver_auth::MIGRATIONS.iter().copied()).unwrap();
    quiver_orm::testing::check_app_migrations(
        "admin",
        &dir,
        &quiver_admin::models(),
        &auth,
        quiver_admin::MIGRATIONS,
    );
}
