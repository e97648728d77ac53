//! The {{app}} app's tables. After changing a model, `cargo run -- makemigrations {{app}}`
//! writes the migration into `migrations/{{app}}/`; add it to `MIGRATIONS` in `mod.rs`.

use quiver::orm::ModelMeta;
use quiver::prelude::*;

/// A first model for the {{app}} app: rename it and give it the fields it needs.
#[derive(Model, Serialize, JsonSchema, Debug, Clone)]
#[model(table = "{{app}}_item", ordering = ["name"])]
pub struct {{App}}Item {
    /// The key.
    pub id: Auto<i64>,
    /// Its name.
    #[field(max_length = 100)]
    pub name: String,
}

/// The app's models, for the migrations and the admin.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![{{App}}Item::meta()]
}
