//! {{name}}, a Quiver project: what it is made of. `src/main.rs` runs it.

pub mod api;
pub mod models;
pub mod pages;

use quiver::manage;
use quiver::prelude::*;

use crate::models::Note;

/// The label of the project's own models (their migrations are recorded under it).
pub const LABEL: &str = "{{name}}";

/// The migrations of the project's models, built into the binary so that it can migrate a
/// database without the source folder. After `cargo run -- makemigrations` writes a file into
/// `migrations/`, add it here; `cargo test` fails until the list and the folder agree.
pub const MIGRATIONS: &[(&str, &str)] = &[(
    "0001_initial",
    include_str!("../migrations/0001_initial.toml"),
)];

/// The project: its apps, its web app, and the command line `src/main.rs` runs (tests build
/// the same app with `project().test_app()`).
pub fn project() -> Project {
    Project::new("{{name}}")
        .apps(apps())
        .app(app)
        .link("Home page", "/")
}

/// The apps whose tables the project has, in dependency order (Django's `INSTALLED_APPS`).
pub fn apps() -> Vec<manage::App> {
    vec![
        manage::App::auth(),
        manage::App::admin(),
        manage::App {
            label: LABEL,
            dir: Some("migrations".into()),
            embedded: Some(MIGRATIONS),
            models: models::models(),
        },
    ]
}

/// The web app: the JSON API under `/api` (documented at `/docs`), the pages, and the admin
/// at `/admin/` (`cargo run -- createsuperuser` makes its first user).
pub fn app(ctx: &ProjectContext) -> App {
    let auth = ctx.auth.clone().expect("the auth app is in apps()");
    let admin = AdminSite::new().register::<Note>(|note| note.list_display(["text", "created_at"]));
    App::new()
        .title("{{name}}")
        .state(ctx.db.clone())
        .auth(auth)
        .admin(admin)
        .pages(pages::pages(ctx.settings.debug))
        .routes(api::routes())
        .routes(pages::routes())
}
