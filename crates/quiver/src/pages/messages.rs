//! Flash messages, Django's messages framework: a handler adds one ("Saved."), the next page
//! shows it once. They live in the session.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};

use http::request::Parts;
use minijinja::Value;
use minijinja::value::{Enumerator, Object, ObjectRepr};
use quiver_auth::session::Session;
use quiver_core::extract::FromRequestParts;
use quiver_core::{AppContext, Error, Result};
use serde::{Deserialize, Serialize};

/// The session key holding the pending messages.
const KEY: &str = "_messages";

/// How a message should look (the CSS class templates usually give it).
///
/// ```
/// use quiver::pages::Level;
///
/// assert_eq!(Level::Success.as_str(), "success");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something worked.
    Success,
    /// Something to look at.
    Warning,
    /// Something failed.
    Error,
}

impl Level {
    /// `info`, `success`, `warning` or `error`.
    ///
    /// ```
    /// assert_eq!(quiver::pages::Level::Warning.as_str(), "warning");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Success => "success",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// One flash message. In templates, `{{ message }}` is its text, `message.level` its level
/// (`message.tags` too, as in Django).
///
/// ```
/// use quiver::pages::{Level, Message};
///
/// let message = Message { level: Level::Success, text: "Saved.".into() };
/// assert_eq!(message.text, "Saved.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// How it should look.
    pub level: Level,
    /// What it says (escaped when shown in an HTML template).
    pub text: String,
}

/// Adds flash messages, shown once on the next page rendered with [`Page`](super::Page)
/// (where the template loops over `messages`). Needs the session, which `App::auth` installs.
///
/// ```
/// use quiver::prelude::*;
///
/// /// Saves the review, then shows the product again with a thank-you.
/// async fn post_review(messages: Messages) -> Redirect {
///     messages.success("Thanks for the review");
///     Redirect::to("/products/1")
/// }
/// ```
///
/// In a template:
///
/// ```jinja
/// {% for message in messages %}<p class="{{ message.level }}">{{ message }}</p>{% endfor %}
/// ```
#[derive(Debug, Clone)]
pub struct Messages {
    session: Session,
}

impl Messages {
    /// Adds a message at `level`.
    ///
    /// ```
    /// use quiver::pages::{Level, Messages};
    ///
    /// fn remind(messages: &Messages) {
    ///     messages.add(Level::Info, "Your trial ends in 3 days");
    /// }
    /// ```
    pub fn add(&self, level: Level, text: impl Into<String>) {
        let message = Message { level, text: text.into() };
        let added = now(async {
            let mut pending = pending(&self.session).await?;
            pending.push(message);
            self.session.insert(KEY, pending).await
        });
        if let Err(error) = added {
            tracing::error!(%error, "a flash message could not be stored in the session");
        }
    }

    /// Adds an `info` message.
    ///
    /// ```
    /// # fn f(messages: quiver::pages::Messages) {
    /// messages.info("Orders ship on weekdays");
    /// # }
    /// ```
    pub fn info(&self, text: impl Into<String>) {
        self.add(Level::Info, text);
    }

    /// Adds a `success` message.
    ///
    /// ```
    /// # fn f(messages: quiver::pages::Messages) {
    /// messages.success("Your order is on its way");
    /// # }
    /// ```
    pub fn success(&self, text: impl Into<String>) {
        self.add(Level::Success, text);
    }

    /// Adds a `warning` message.
    ///
    /// ```
    /// # fn f(messages: quiver::pages::Messages) {
    /// messages.warning("Only 2 left in stock");
    /// # }
    /// ```
    pub fn warning(&self, text: impl Into<String>) {
        self.add(Level::Warning, text);
    }

    /// Adds an `error` message.
    ///
    /// ```
    /// # fn f(messages: quiver::pages::Messages) {
    /// messages.error("The payment was declined");
    /// # }
    /// ```
    pub fn error(&self, text: impl Into<String>) {
        self.add(Level::Error, text);
    }

    /// The messages waiting to be shown (they stay until a page shows them).
    ///
    /// ```
    /// # fn f(messages: quiver::pages::Messages) {
    /// messages.success("Saved");
    /// assert_eq!(messages.pending().last().unwrap().text, "Saved");
    /// # }
    /// ```
    pub fn pending(&self) -> Vec<Message> {
        now(pending(&self.session)).unwrap_or_default()
    }
}

impl FromRequestParts for Messages {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        let session = parts.extensions.get::<Session>().cloned().ok_or_else(|| {
            Error::internal(
                "flash messages are kept in the session, and there is none: install the auth app with `App::auth(...)` (it adds the session layer)",
            )
        })?;
        // Loaded now, so adding a message later needs no waiting.
        pending(&session).await?;
        Ok(Self { session })
    }
}

/// The messages stored in `session`.
async fn pending(session: &Session) -> Result<Vec<Message>> {
    Ok(session.get::<Vec<Message>>(KEY).await?.unwrap_or_default())
}

/// Runs a session operation on a session already loaded by the extractor: it completes without
/// waiting, so handlers call message methods without `.await`.
pub(crate) fn now<T>(operation: impl Future<Output = Result<T>>) -> Result<T> {
    let mut operation = std::pin::pin!(operation);
    match operation.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => Err(Error::internal("the session was not loaded before use")),
    }
}

/// Reads the pending messages for a page (the session was loaded by `Page`).
pub(crate) fn for_page(session: Option<&Session>) -> Result<Vec<Message>> {
    match session {
        Some(session) => now(pending(session)),
        None => Ok(Vec::new()),
    }
}

/// Forgets the messages a page showed.
pub(crate) fn consume(session: &Session) -> Result<()> {
    now(session.remove(KEY)).map(drop)
}

/// `messages` in a template: marks itself shown when iterated or indexed (not when merely
/// tested with `{% if messages %}` or counted), so a page that never lists them keeps them.
#[derive(Debug)]
pub(crate) struct Shown {
    messages: Vec<Message>,
    shown: Arc<AtomicBool>,
}

impl Shown {
    pub(crate) fn new(messages: Vec<Message>) -> (Self, Arc<AtomicBool>) {
        let shown = Arc::new(AtomicBool::new(false));
        (Self { messages, shown: shown.clone() }, shown)
    }
}

impl Object for Shown {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let message = self.messages.get(key.as_usize()?)?;
        self.shown.store(true, Ordering::Relaxed);
        Some(Value::from_object(MessageValue(message.clone())))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        self.shown.store(true, Ordering::Relaxed);
        Enumerator::Seq(self.messages.len())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.messages.len())
    }
}

/// One message in a template: prints as its text.
#[derive(Debug)]
struct MessageValue(Message);

impl Object for MessageValue {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "level" | "tags" => Some(Value::from(self.0.level.as_str())),
            "text" | "message" => Some(Value::from(self.0.text.clone())),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(&["level", "text"])
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.text)
    }
}
