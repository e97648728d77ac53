//! The admin's own model: the history of every add, change and delete made through it.

use chrono::{DateTime, Utc};
use quiver_auth::User;
use quiver_orm::ModelMeta;
use quiver_orm::prelude::*;
use serde::Serialize;

/// One action taken in the admin (Django's `admin.LogEntry`): who did what to which object,
/// when. Shown on the index ("Recent actions") and on each object's history page.
///
/// ```
/// use quiver_admin::LogEntry;
/// use quiver_orm::Model;
///
/// assert_eq!(LogEntry::meta().table, "admin_logentry");
/// ```
#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "admin_logentry", ordering = ["-action_time", "-id"])]
pub struct LogEntry {
    /// The key.
    pub id: Auto<i64>,
    /// When it happened.
    #[field(auto_now_add, index)]
    pub action_time: DateTime<Utc>,
    /// Who did it.
    #[field(on_delete = cascade)]
    pub user: ForeignKey<User>,
    /// The model, as `app_label.model` (`blog.article`).
    #[field(max_length = 100, index)]
    pub content_type: String,
    /// The object's key, as text.
    #[field(max_length = 255, index)]
    pub object_id: String,
    /// What the object was called at the time.
    #[field(max_length = 200)]
    pub object_repr: String,
    /// 1 added, 2 changed, 3 deleted.
    pub action_flag: i16,
    /// What changed, for people (`Changed title and body.`).
    pub change_message: String,
}

/// The action recorded in a [`LogEntry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// An object was added.
    Addition = 1,
    /// An object was changed.
    Change = 2,
    /// An object was deleted.
    Deletion = 3,
}

impl Action {
    /// The stored flag.
    pub fn flag(self) -> i16 {
        self as i16
    }

    /// The action stored as `flag`.
    pub fn from_flag(flag: i16) -> Option<Action> {
        match flag {
            1 => Some(Action::Addition),
            2 => Some(Action::Change),
            3 => Some(Action::Deletion),
            _ => None,
        }
    }

    /// `add`, `change` or `delete`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Addition => "add",
            Action::Change => "change",
            Action::Deletion => "delete",
        }
    }
}

/// The admin app's models, for `migrate` and `makemigrations`.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![LogEntry::meta()]
}
