//! The `Page` extractor: what a handler renders templates with.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use http::request::Parts;
use minijinja::Value;
use minijinja::value::Serde;
use quiver_auth::session::Session;
use quiver_auth::{Auth, OptionalUser, User};
use quiver_core::extract::FromRequestParts;
use quiver_core::response::Html;
use quiver_core::security::CsrfToken;
use quiver_core::{AppContext, Error, Result};
use serde::Serialize;

use super::messages::{self, Shown};
use super::{Installed, PagesState};

/// Renders templates for one request, adding what every page needs: `user`, `csrf_token`,
/// `csrf_field`, `static()`, `messages` and `request`.
///
/// The handler's own context wins over these names. The user is the one logged in through the
/// auth app (`None` without it, or for anonymous visitors); asking for a `Page` sets the CSRF
/// cookie when the browser has none.
///
/// ```
/// use quiver::pages::context;
/// use quiver::prelude::*;
///
/// const TEMPLATES: &[(&str, &str)] = &[(
///     "shop/review.html",
///     r#"{% if user %}Hi {{ user.username }}{% else %}Hi stranger{% endif %}
/// <form method="post">{{ csrf_field }}<textarea name="text"></textarea></form>
/// <link rel="stylesheet" href="{{ static('css/site.css') }}">"#,
/// )];
/// const STATIC: &[(&str, &[u8])] = &[("css/site.css", b"form { margin: 1em }")];
///
/// /// The review form.
/// #[get("/review", hidden)]
/// async fn review(page: Page) -> Result<Html<String>> {
///     page.render("shop/review.html", context! {})
/// }
///
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let pages = Pages::new(Templates::new().embedded(TEMPLATES))
///     .static_files(StaticFiles::embedded(STATIC));
/// let client = TestClient::new(App::new().pages(pages).routes(routes![review]));
/// let html = client.get("/review").await.text();
/// assert!(html.starts_with("Hi stranger"));
/// assert!(html.contains(r#"<input type="hidden" name="csrfmiddlewaretoken""#));
/// assert!(html.contains(r#"href="/static/css/site.css?v="#));
/// # });
/// ```
#[derive(Clone)]
pub struct Page {
    pages: Arc<Installed>,
    user: Option<User>,
    csrf: CsrfToken,
    session: Option<Session>,
    request: RequestInfo,
}

impl std::fmt::Debug for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Page")
            .field("user", &self.user.as_ref().map(|u| &u.username))
            .field("path", &self.request.path)
            .finish_non_exhaustive()
    }
}

/// `request` in templates.
#[derive(Debug, Clone, Serialize)]
struct RequestInfo {
    path: String,
    full_path: String,
    method: String,
    query: BTreeMap<String, String>,
}

impl Page {
    /// Renders `template` with `context` (a `context! { ... }`, or anything `Serialize` that is
    /// a map) over the common names. A template that is missing or fails is a 500 naming the
    /// template and the line (shown on the debug page in debug mode, logged always).
    ///
    /// ```
    /// use quiver::pages::context;
    /// use quiver::prelude::*;
    ///
    /// #[derive(Serialize)]
    /// struct Product { name: String, price_cents: u32 }
    ///
    /// async fn product(page: Page) -> Result<Html<String>> {
    ///     let product = Product { name: "Kettle".into(), price_cents: 2999 };
    ///     page.render("shop/product.html", context! { product, in_stock => true })
    /// }
    /// ```
    pub fn render(&self, template: &str, context: impl Serialize) -> Result<Html<String>> {
        let pending = messages::for_page(self.session.as_ref())?;
        let (list, shown) = Shown::new(pending);
        let user = match &self.user {
            Some(user) => {
                let mut value = serde_json::to_value(user).map_err(Error::internal)?;
                value["is_authenticated"] = serde_json::Value::Bool(true);
                Value::from(Serde(value))
            }
            None => Value::from(()),
        };
        let common = minijinja::context! {
            user,
            csrf_token => self.csrf.value(),
            csrf_field => Value::from_safe_string(self.csrf.form_field()),
            messages => Value::from_object(list),
            request => Value::from(Serde(&self.request)),
        };
        let context = minijinja::value::merge_maps([common, Value::from(Serde(&context))]);
        let html = self.pages.renderer.render(template, context).map_err(|error| {
            if self.pages.debug {
                Error::internal(format!("template {template:?}: {error:#}"))
            } else {
                Error::internal(format!("template {template:?}: {error}"))
            }
        })?;
        if shown.load(Ordering::Relaxed)
            && let Some(session) = &self.session
        {
            messages::consume(session)?;
        }
        Ok(Html(html))
    }

    /// The logged-in user, if any.
    ///
    /// ```
    /// async fn greeting(page: quiver::pages::Page) -> String {
    ///     match page.user() {
    ///         Some(user) => format!("Hello {}", user.username),
    ///         None => "Hello".into(),
    ///     }
    /// }
    /// ```
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// This request's CSRF token (what `csrf_token` and `csrf_field` hold).
    ///
    /// ```
    /// async fn token(page: quiver::pages::Page) -> String {
    ///     page.csrf().value().to_owned()
    /// }
    /// ```
    pub fn csrf(&self) -> &CsrfToken {
        &self.csrf
    }

    /// The request's path (`request.path` in templates).
    ///
    /// ```
    /// async fn here(page: quiver::pages::Page) -> String {
    ///     page.path().to_owned()
    /// }
    /// ```
    pub fn path(&self) -> &str {
        &self.request.path
    }
}

impl FromRequestParts for Page {
    async fn from_request_parts(parts: &mut Parts, app: &AppContext) -> Result<Self> {
        let PagesState(pages) = app.state::<PagesState>().cloned().ok_or_else(|| {
            Error::internal(
                "pages are not installed: call `App::pages(Pages::new(Templates::new()...))`",
            )
        })?;
        let user = match app.state::<Auth>() {
            Some(_) => {
                OptionalUser::from_request_parts(parts, app).await?.0.map(|u| u.user().clone())
            }
            None => None,
        };
        let session = parts.extensions.get::<Session>().cloned();
        if let Some(session) = &session {
            // Loaded now, so rendering reads the messages without waiting.
            session.exists().await?;
        }
        let query: BTreeMap<String, String> = parts
            .uri
            .query()
            .and_then(|q| serde_html_form::from_str::<Vec<(String, String)>>(q).ok())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let request = RequestInfo {
            path: parts.uri.path().to_owned(),
            full_path: parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned(),
            method: parts.method.to_string(),
            query,
        };
        Ok(Page { pages, user, csrf: CsrfToken::of(parts), session, request })
    }
}
