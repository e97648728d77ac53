//! The HTML pages. Templates (`templates/`) and static files (`static/`) are built into the
//! binary; the folders, when present, win over the built-in copies, and with `debug` on (the
//! dev profile) an edited template shows on reload.

use quiver::Route;
use quiver::deps::chrono::Utc;
use quiver::prelude::*;

use crate::api::NewNote;
use crate::models::Note;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("home.html", include_str!("../templates/home.html")),
];

const STATIC: &[(&str, &[u8])] = &[("css/site.css", include_bytes!("../static/css/site.css"))];

/// The templates.
pub fn templates() -> Templates {
    Templates::new().embedded(TEMPLATES).dir("templates")
}

/// The pages, their templates and their static files (served at `/static/`).
pub fn pages(debug: bool) -> Pages {
    Pages::new(templates())
        .static_files(StaticFiles::dir("static"))
        .static_files(StaticFiles::embedded(STATIC))
        .debug(debug)
}

/// The home page: the notes, newest first, and a form to write one.
#[get("/", hidden)]
async fn home(page: Page, db: State<Db>) -> Result<Html<String>> {
    let notes = Note::objects().all(&*db).await.or_404()?;
    page.render("home.html", context! { notes })
}

/// The home page's form: saves the note and goes back, with a message.
#[post("/", hidden)]
async fn write_note(
    db: State<Db>,
    messages: Messages,
    Form(new): Form<NewNote>,
) -> Result<Redirect> {
    let mut note = Note {
        id: Auto::new(),
        text: new.text,
        created_at: Utc::now(),
    };
    note.insert(&*db).await.or_404()?;
    messages.success("Note saved.");
    Ok(Redirect::to("/"))
}

/// The pages' routes.
pub fn routes() -> Vec<Route> {
    routes![home, write_note]
}
