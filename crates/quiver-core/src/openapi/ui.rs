//! Swagger UI and ReDoc pages for the OpenAPI document, served from assets built into the binary
//! (see `assets/README.md`): they work with no network at all.

use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue};

const SWAGGER_UI_VERSION: &str = "5.35.0";
const REDOC_VERSION: &str = "2.5.4";

const SWAGGER_UI_JS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_UI_CSS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui.css");
const OAUTH2_REDIRECT_HTML: &[u8] = include_bytes!("../../assets/swagger-ui/oauth2-redirect.html");
const OAUTH2_REDIRECT_JS: &[u8] = include_bytes!("../../assets/swagger-ui/oauth2-redirect.js");
const REDOC_JS: &[u8] = include_bytes!("../../assets/redoc/redoc.standalone.js");

/// Pages may only load what the app itself serves (the bundles use inline styles and ReDoc a
/// worker built from a blob).
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                   worker-src 'self' blob:; frame-ancestors 'self'";

/// Where the document and the pages live.
pub(crate) struct DocsUrls<'a> {
    pub(crate) openapi: &'a str,
    pub(crate) swagger: Option<&'a str>,
    pub(crate) redoc: Option<&'a str>,
    pub(crate) title: &'a str,
}

/// Adds the pages and their assets to `router`.
pub(crate) fn mount(mut router: axum::Router, urls: &DocsUrls<'_>) -> axum::Router {
    if let Some(base) = urls.swagger {
        let assets = format!("{}/assets/{SWAGGER_UI_VERSION}", base.trim_end_matches('/'));
        let page = swagger_page(urls.title, &assets);
        let init = swagger_init(urls.openapi, &format!("{assets}/oauth2-redirect.html"));
        router = router
            .route(base, get(move || page_response(page.clone())))
            .route(
                &format!("{assets}/swagger-ui-bundle.js"),
                get(|| asset("text/javascript", SWAGGER_UI_JS)),
            )
            .route(&format!("{assets}/swagger-ui.css"), get(|| asset("text/css", SWAGGER_UI_CSS)))
            .route(
                &format!("{assets}/oauth2-redirect.html"),
                get(|| asset("text/html; charset=utf-8", OAUTH2_REDIRECT_HTML)),
            )
            .route(
                &format!("{assets}/oauth2-redirect.js"),
                get(|| asset("text/javascript", OAUTH2_REDIRECT_JS)),
            )
            .route(&format!("{assets}/init.js"), get(move || script(init.clone())));
    }
    if let Some(base) = urls.redoc {
        let assets = format!("{}/assets/{REDOC_VERSION}", base.trim_end_matches('/'));
        let page = redoc_page(urls.title, urls.openapi, &assets);
        router = router.route(base, get(move || page_response(page.clone()))).route(
            &format!("{assets}/redoc.standalone.js"),
            get(|| asset("text/javascript", REDOC_JS)),
        );
    }
    router
}

fn swagger_page(title: &str, assets: &str) -> String {
    let (title, assets) = (escape(title), escape(assets));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} - Swagger UI</title>\n<link rel=\"stylesheet\" href=\"{assets}/swagger-ui.css\">\n\
         </head>\n<body>\n<div id=\"swagger-ui\"></div>\n\
         <script src=\"{assets}/swagger-ui-bundle.js\"></script>\n<script src=\"{assets}/init.js\"></script>\n\
         </body>\n</html>\n"
    )
}

/// The initializer, served as a script (the page's CSP forbids inline ones). `validatorUrl` off:
/// the default sends the document to an online validator.
fn swagger_init(openapi: &str, oauth2_redirect: &str) -> String {
    let config = serde_json::json!({
        "url": openapi,
        "dom_id": "#swagger-ui",
        "validatorUrl": null,
        "oauth2RedirectUrl": oauth2_redirect,
        "deepLinking": true,
        "persistAuthorization": true,
    });
    format!("window.ui = SwaggerUIBundle({config});\n")
}

fn redoc_page(title: &str, openapi: &str, assets: &str) -> String {
    let (title, openapi, assets) = (escape(title), escape(openapi), escape(assets));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} - ReDoc</title>\n</head>\n<body>\n\
         <redoc spec-url=\"{openapi}\" hide-download-button=\"false\"></redoc>\n\
         <script src=\"{assets}/redoc.standalone.js\"></script>\n</body>\n</html>\n"
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

async fn page_response(page: String) -> Response {
    let mut response = Html(page).into_response();
    response.headers_mut().insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn script(body: String) -> Response {
    let mut response = body.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/javascript"));
    response
}

/// A vendored file; its URL carries the package version, so it may be cached for good.
async fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_escaped_in_the_pages() {
        let page = swagger_page("<script>alert(1)</script>", "/docs/assets/x");
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(
            redoc_page("A \"quoted\" API", "/openapi.json", "/redoc/assets/x")
                .contains("A &quot;quoted&quot; API")
        );
    }
}
