//! Migrations: model states, operations, the autodetector and migration files.
//!
//! `makemigrations` rebuilds the state from the migration files ([`state_of`]), compares it
//! with the compiled models ([`ProjectState::from_models`]) using [`detect`], and writes the
//! operations as a [`Migration`] file. [`migrate`] applies pending migrations (or unapplies
//! them down to a [`Target`]) and records them in the `quiver_migrations` table.

mod autodetector;
mod commands;
mod editor;
mod file;
mod operation;
mod runner;
mod state;

pub use autodetector::{
    Answers, Question, RenameCandidate, changed_model, created_models, deleted_models, detect,
    rename_candidates, renamed_models, suggest_name,
};
pub use commands::{
    MakeOptions, MakeOutcome, load_app, load_dir, load_embedded, makemigrations,
    makemigrations_for_app, showmigrations, sqlmigrate,
};
pub use editor::forwards_sql;
pub use file::{Migration, leaves, plan, state_of};
pub use operation::Operation;
pub use runner::{
    Plan, Progress, RustStep, Target, applied, migrate, migrate_reporting, migration_sql, plan_for,
    register_rust, reverse_sql,
};
pub use state::{
    CheckState, FieldState, ManyToManyState, ModelState, ProjectState, RelationState, json_to_value,
};
