//! The auth app's migration files match its models, and every file is built into the binary.
//! Run with `QUIVER_WRITE_MIGRATIONS=1` after changing a model to write the next migration.

#[test]
fn the_migrations_match_the_models_and_are_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    quiver_orm::testing::check_app_migrations(
        "auth",
        &dir,
        &quiver_auth::models(),
        &[],
        quiver_auth::MIGRATIONS,
    );
}
