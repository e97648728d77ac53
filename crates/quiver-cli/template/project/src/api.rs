//! The JSON API under `/api`, documented at `/docs` (Swagger UI) and `/redoc`.

use quiver::Route;
use quiver::deps::chrono::Utc;
use quiver::prelude::*;

use crate::models::Note;

/// A note to write.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewNote {
    /// What it says.
    #[validate(length(min = 1, max = 200))]
    pub text: String,
}

/// Every note, newest first.
#[get("/api/notes", tag = "notes")]
async fn list_notes(db: State<Db>) -> Result<Json<Vec<Note>>> {
    Ok(Json(Note::objects().all(&*db).await.or_404()?))
}

/// Write a note.
#[post("/api/notes", tag = "notes")]
async fn create_note(db: State<Db>, Json(new): Json<NewNote>) -> Result<Created<Note>> {
    let mut note = Note {
        id: Auto::new(),
        text: new.text,
        created_at: Utc::now(),
    };
    note.insert(&*db).await.or_404()?;
    Ok(Created::new(note))
}

/// The API's routes.
pub fn routes() -> Vec<Route> {
    routes![list_notes, create_note]
}
