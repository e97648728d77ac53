//! The shop's binary. `showcase` serves it: it applies the migrations, seeds the demo data on
//! the first start (printing the admin's password once) and prints where everything is.
//! `showcase --help` lists the project's commands (`migrate`, `createsuperuser`, `routes`, ...).
//!
//! Settings come from `quiver.toml` in the working directory and `QUIVER_*` variables; with
//! neither, the database is `db.sqlite3` and pictures go to `media/`, both in the working
//! directory.

use quiver::prelude::*;

fn main() -> std::process::ExitCode {
    Project::new("showcase")
        .about("A small catalogue shop on Quiver: JSON API, server-rendered pages, admin.")
        .apps(showcase::apps())
        .app(showcase::app)
        .seed(showcase::seed)
        .link("Shop", "/")
        .link("API", "/api/products")
        .run()
}
