//! Migrations: model states, operations, the autodetector and migration files.
//!
//! `makemigrations` rebuilds the state from the migration files ([`state_of`]), compares it
//! with the compiled models ([`ProjectState::from_models`]) using [`detect`], and writes the
//! operations as a [`Migration`] file. Applying migrations to a database comes next (issue 5).

mod autodetector;
mod file;
mod operation;
mod state;

pub use autodetector::{
    Answers, Question, changed_model, created_models, deleted_models, detect, renamed_models,
    suggest_name,
};
pub use file::{Migration, leaves, plan, state_of};
pub use operation::Operation;
pub use state::{
    CheckState, FieldState, ManyToManyState, ModelState, ProjectState, RelationState, json_to_value,
};
