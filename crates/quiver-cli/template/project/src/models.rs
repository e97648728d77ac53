//! The project's tables. After changing a model, `cargo run -- makemigrations` writes the
//! migration into `migrations/`; add the new file to `MIGRATIONS` in `src/lib.rs` (`cargo test`
//! fails until the files and the models agree).

use quiver::deps::chrono::{DateTime, Utc};
use quiver::orm::ModelMeta;
use quiver::prelude::*;

/// A short note.
#[derive(Model, Serialize, JsonSchema, Debug, Clone)]
#[model(table = "{{name}}_note", ordering = ["-created_at", "-id"])]
pub struct Note {
    /// The key.
    pub id: Auto<i64>,
    /// What it says.
    #[field(max_length = 200)]
    pub text: String,
    /// When it was written.
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
}

/// The project's models, for the migrations and the admin.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![Note::meta()]
}
