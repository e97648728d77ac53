//! The shop's migration files match its models, and every file is built into the binary.
//! After changing a model, run `QUIVER_WRITE_MIGRATIONS=1 cargo test -p showcase --test
//! migrations` to write the next migration, then add it to `MIGRATIONS` in `src/lib.rs`.

use quiver::orm::migrations::load_embedded;

#[test]
fn the_migrations_match_the_models_and_are_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let auth = load_embedded("auth", quiver::auth::MIGRATIONS.iter().copied()).unwrap();
    quiver::orm::testing::check_app_migrations(
        "shop",
        &dir,
        &showcase::models::models(),
        &auth,
        showcase::MIGRATIONS,
    );
}
