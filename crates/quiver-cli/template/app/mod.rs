//! The {{app}} app: its tables (`models.rs`), its API (`api.rs`) and its migrations
//! (`migrations/{{app}}/`).

pub mod api;
pub mod models;

use std::path::Path;

use quiver::manage;

/// The app's label (its migrations are recorded under it).
pub const LABEL: &str = "{{app}}";

/// The app's migrations, built into the binary. After `cargo run -- makemigrations {{app}}`
/// writes a file into `migrations/{{app}}/`, add it here; `cargo test` fails until the list and
/// the folder agree.
pub const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial",
    include_str!("../../migrations/{{app}}/0001_initial.toml"),
)];

/// The app, for the project's `apps()`.
pub fn app() -> manage::App {
    manage::App {
        label: LABEL,
        dir: Some(Path::new("migrations").join(LABEL)),
        embedded: Some(MIGRATIONS),
        models: models::models(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use quiver::orm::testing::check_app_migrations;

    use super::{LABEL, MIGRATIONS, models::models};

    /// After changing a model: `cargo run -- makemigrations {{app}}` (or run this test with
    /// `QUIVER_WRITE_MIGRATIONS=1`) writes the migration; then add it to `MIGRATIONS`.
    #[test]
    fn the_migrations_match_the_models() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(LABEL);
        check_app_migrations(LABEL, &dir, &models(), &[], MIGRATIONS);
    }
}
