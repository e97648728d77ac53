//! Server-rendered pages, Django's "MVT" side: minijinja templates with autoescaping, template
//! folders per app that a project can override, flash messages, static files with content
//! hashes, uploaded media in development, and a debug error page.
//!
//! Install with [`App::pages`](PagesAppExt::pages); handlers take a [`Page`] and render. Every
//! template gets `user` (the logged-in user or none), `csrf_token`, `csrf_field` (a hidden
//! `<input>`), `static("css/site.css")` (a URL with the file's content hash), `messages` (flash
//! messages, consumed when shown) and `request` (`path`, `full_path`, `method`, `query`).
//! See the [pages guide](crate::docs::pages).
//!
//! ```
//! use quiver::pages::context;
//! use quiver::prelude::*;
//!
//! const TEMPLATES: &[(&str, &str)] = &[
//!     ("shop/base.html", "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}"),
//!     ("shop/home.html", r#"{% extends "shop/base.html" %}{% block title %}Shop{% endblock %}
//! {% block body %}<h1>{{ greeting }}</h1><p>{{ request.method }}</p>{% endblock %}"#),
//! ];
//!
//! /// The home page.
//! async fn home(page: Page) -> Result<Html<String>> {
//!     page.render("shop/home.html", context! { greeting => "<Welcome>" })
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let app = App::new()
//!     .pages(Pages::new(Templates::new().embedded(TEMPLATES)))
//!     .route(Route::new(http::Method::GET, "/", home).hidden());
//! let page = TestClient::new(app).get("/").await;
//! assert_eq!(page.status(), 200);
//! assert!(page.text().contains("<h1>&lt;Welcome&gt;</h1><p>GET</p>"), "{}", page.text());
//! # });
//! # use quiver::Route;
//! ```

mod debug;
mod media;
mod messages;
mod page;
mod static_files;
mod templates;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use http::Method;
use quiver_core::{App, Route};

pub use messages::{Level, Message, Messages};
pub use minijinja;
pub use page::Page;
pub use static_files::StaticFiles;
pub use templates::Templates;

use static_files::StaticSet;
use templates::Renderer;

/// Builds a template context: `context! { key => value, other }` (`other` is `other => other`),
/// each value anything `Serialize` (models, `Vec`s, maps, numbers, nested `context!`s); with
/// `..base` at the end, merges `base` in under the given keys.
///
/// minijinja's own `context!` syntax, converting values through serde, so a model or any
/// `#[derive(Serialize)]` struct goes in as it is.
///
/// ```
/// use quiver::pages::context;
///
/// #[derive(serde::Serialize)]
/// struct Product { name: String, price_cents: u32 }
///
/// let products = vec![Product { name: "Kettle".into(), price_cents: 2999 }];
/// let base = context! { site => "Shop" };
/// let ctx = context! { products, title => "Home", ..base };
/// assert_eq!(ctx.get_attr("title").unwrap().as_str(), Some("Home"));
/// assert_eq!(ctx.get_attr("site").unwrap().as_str(), Some("Shop"));
/// let first = ctx.get_attr("products").unwrap().get_item_by_index(0).unwrap();
/// assert_eq!(first.get_attr("name").unwrap().as_str(), Some("Kettle"));
/// ```
#[doc(inline)]
pub use crate::__pages_context as context;

#[doc(hidden)]
#[macro_export]
macro_rules! __pages_context {
    () => {
        $crate::pages::minijinja::context!()
    };
    ($(.. $base:expr),+ $(,)?) => {
        $crate::pages::minijinja::context!($(.. $base),+)
    };
    ($($key:ident $(=> $value:expr)?),+ $(, .. $base:expr)* $(,)?) => {
        $crate::pages::minijinja::context! {
            $($key => $crate::pages::__to_value(&$crate::__pages_context_value!($key $(, $value)?))),+
            $(, .. $base)*
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __pages_context_value {
    ($key:ident) => {
        $key
    };
    ($key:ident, $value:expr) => {
        $value
    };
}

/// A template value from anything `Serialize` (used by [`context!`]).
#[doc(hidden)]
pub fn __to_value<T: serde::Serialize + ?Sized>(value: &T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(value))
}

/// The server-rendered side of an app: its templates, static files, media folder and whether
/// it runs in debug mode. Install it with [`App::pages`](PagesAppExt::pages).
///
/// ```
/// use quiver::prelude::*;
///
/// const TEMPLATES: &[(&str, &str)] = &[("shop/home.html", "<h1>Shop</h1>")];
/// const STATIC: &[(&str, &[u8])] = &[("css/site.css", b"body { margin: 0 }")];
///
/// let debug = true; // settings.debug in a project
/// let pages = Pages::new(Templates::new().embedded(TEMPLATES).dir("templates"))
///     .static_files(StaticFiles::embedded(STATIC))
///     .media("media", "/media/")
///     .debug(debug);
/// let app = App::new().pages(pages);
/// # let _ = app;
/// ```
#[derive(Debug)]
pub struct Pages {
    templates: Templates,
    statics: Vec<StaticFiles>,
    static_url: String,
    media: Option<(PathBuf, String)>,
    debug: bool,
}

impl Pages {
    /// Pages rendered from `templates`, with no static files yet, served at `/static/`, debug
    /// off.
    ///
    /// ```
    /// use quiver::pages::{Pages, Templates};
    ///
    /// let pages = Pages::new(Templates::new().dir("templates"));
    /// # let _ = pages;
    /// ```
    pub fn new(templates: Templates) -> Self {
        Self {
            templates,
            statics: Vec::new(),
            static_url: "/static/".to_owned(),
            media: None,
            debug: false,
        }
    }

    /// Adds static files (call it once per source). A file is looked up in the folders first,
    /// in the order added, then in the embedded lists, in the order added: a project's folder
    /// overrides what an app embeds.
    ///
    /// ```
    /// use quiver::pages::{Pages, StaticFiles, Templates};
    ///
    /// const SHOP_STATIC: &[(&str, &[u8])] = &[("shop/logo.svg", b"<svg/>")];
    ///
    /// let pages = Pages::new(Templates::new())
    ///     .static_files(StaticFiles::embedded(SHOP_STATIC))
    ///     .static_files(StaticFiles::dir("static"));
    /// # let _ = pages;
    /// ```
    pub fn static_files(mut self, files: StaticFiles) -> Self {
        self.statics.push(files);
        self
    }

    /// Where static files are served (default `/static/`); a leading and a trailing slash are
    /// added when missing.
    ///
    /// ```
    /// use quiver::pages::{Pages, Templates};
    ///
    /// let pages = Pages::new(Templates::new()).static_url("/assets/");
    /// # let _ = pages;
    /// ```
    pub fn static_url(mut self, url: &str) -> Self {
        self.static_url = url_prefix(url);
        self
    }

    /// Serves uploaded files from folder `dir` under `url` (`/media/`), **only when debug is
    /// on**: in production a web server or object store serves them, as Django leaves them to
    /// one.
    ///
    /// ```
    /// use quiver::pages::{Pages, Templates};
    ///
    /// let pages = Pages::new(Templates::new()).media("media", "/media/").debug(true);
    /// # let _ = pages;
    /// ```
    pub fn media(mut self, dir: impl Into<PathBuf>, url: &str) -> Self {
        self.media = Some((dir.into(), url_prefix(url)));
        self
    }

    /// Debug mode (`settings.debug`): templates are read again on every render, media files
    /// are served, and a browser whose request fails with a 500 gets a page with the error
    /// instead of a bare answer. Never turn it on in production: the page shows internals.
    ///
    /// ```
    /// use quiver::pages::{Pages, Templates};
    ///
    /// let debug = std::env::var("QUIVER_DEBUG").is_ok_and(|v| v == "true");
    /// let pages = Pages::new(Templates::new()).debug(debug);
    /// # let _ = pages;
    /// ```
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = on;
        self
    }
}

/// What a request reaches of the installed pages.
pub(crate) struct Installed {
    pub(crate) renderer: Renderer,
    pub(crate) statics: Arc<StaticSet>,
    pub(crate) media: Option<(PathBuf, String)>,
    pub(crate) debug: bool,
}

/// The app state holding the installed pages.
#[derive(Clone)]
pub(crate) struct PagesState(pub(crate) Arc<Installed>);

/// Installs [`Pages`] into an [`App`].
pub trait PagesAppExt {
    /// Adds the pages: their state (read by [`Page`]), the static files route
    /// (`GET /static/{*path}`), and when debug is on the media route and the debug error page.
    /// The routes are left out of the OpenAPI document. Call it once.
    ///
    /// ```
    /// use quiver::prelude::*;
    ///
    /// let app = App::new().pages(Pages::new(Templates::new().dir("templates")));
    /// assert!(app.openapi()["paths"].as_object().unwrap().is_empty());
    /// ```
    fn pages(self, pages: Pages) -> Self;
}

impl PagesAppExt for App {
    fn pages(self, pages: Pages) -> Self {
        let Pages { templates, statics, static_url, media, debug } = pages;
        let statics = Arc::new(StaticSet::new(&static_url, statics));
        let renderer = Renderer::new(templates, statics.clone(), debug);
        let media = media.filter(|_| debug);
        let installed = Installed { renderer, statics, media: media.clone(), debug };
        let static_route = format!("{static_url}{{*path}}");
        let mut app = self.state(PagesState(Arc::new(installed))).route(
            Route::new(Method::GET, static_route, static_files::serve)
                .name("pages_static")
                .hidden(),
        );
        if let Some((_, url)) = media {
            app = app.route(
                Route::new(Method::GET, format!("{url}{{*path}}"), media::serve)
                    .name("pages_media")
                    .hidden(),
            );
        }
        if debug {
            app = app.layer(axum::middleware::from_fn(debug::debug_page));
        }
        app
    }
}

/// `assets` → `/assets/`.
fn url_prefix(url: &str) -> String {
    let trimmed = url.trim_matches('/');
    if trimmed.is_empty() { "/".to_owned() } else { format!("/{trimmed}/") }
}

/// `name` as a path below a folder, or `None` when it could leave the folder or is not a plain
/// relative path (`..`, `.`, empty segments, backslashes, drive letters, NUL).
pub(crate) fn safe_relative(name: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for segment in name.split('/') {
        let bad = segment.is_empty()
            || segment == "."
            || segment == ".."
            || segment.contains(['\\', ':', '\0']);
        if bad {
            return None;
        }
        path.push(segment);
    }
    (!name.is_empty() && Path::new(&path).is_relative()).then_some(path)
}

/// Undoes `%XX` escapes in a URL path; `None` for a bad escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let byte = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes the characters of a path segment that would change a URL's meaning (`/` is kept).
pub(crate) fn percent_encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_names_are_safe() {
        assert_eq!(safe_relative("css/site.css"), Some(PathBuf::from("css").join("site.css")));
        for bad in ["", "../x", "a/../b", "/etc/passwd", "a//b", "./a", "a\\..\\b", "C:x", "a\0"] {
            assert_eq!(safe_relative(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn urls_are_decoded_and_encoded() {
        assert_eq!(percent_decode("%2e%2E/a%20b").as_deref(), Some("../a b"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_encode_path("img/a b.png"), "img/a%20b.png");
        assert_eq!(url_prefix("assets"), "/assets/");
        assert_eq!(url_prefix("/"), "/");
    }
}
