//! The debug error page: in debug mode, a browser whose request ends in a 500 sees what failed
//! (Django's technical 500 page). Installed only when debug is on.

use std::sync::OnceLock;

use axum::middleware::Next;
use http::{HeaderValue, StatusCode, header};
use minijinja::{Environment, context};
use quiver_core::error::{ErrorReport, InternalError};
use quiver_core::extract::Request;
use quiver_core::response::{IntoResponse, Response};

const TEMPLATE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ status }} at {{ path }}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1d1d1f; }
header { background: #fde8e8; border-bottom: 1px solid #f5b5b5; padding: 1.2em 2em; }
h1 { margin: 0 0 .3em; font-size: 1.5em; }
main { padding: 1em 2em; }
pre { background: #f6f6f6; border: 1px solid #ddd; padding: 1em; overflow: auto; white-space: pre-wrap; }
table { border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: .2em 1em .2em 0; font-family: ui-monospace, monospace; font-size: 13px; }
th { color: #555; font-weight: normal; }
footer { padding: 1em 2em; color: #666; font-size: 13px; border-top: 1px solid #eee; }
</style>
</head>
<body>
<header>
<h1>{{ status }} {{ reason }}</h1>
<table>
<tr><th>Request</th><td>{{ method }} {{ path }}</td></tr>
<tr><th>Request ID</th><td>{{ request_id or "(none)" }}</td></tr>
</table>
</header>
<main>
<h2>Error</h2>
{% if message %}<pre>{{ message }}</pre>
{% else %}<p>The handler answered 500 without an error message. Return <code>Err(...)</code> (an
internal error keeps its message for this page) or look at the server log.</p>
{% endif %}
<h2>Request headers</h2>
<table>
{% for name, value in headers %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</table>
</main>
<footer>You see this page because debug is on (<code>Pages::debug(true)</code>, the
<code>debug</code> setting). With debug off, the browser gets a plain 500 and the details go to
the log only.</footer>
</body>
</html>
"#;

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.add_template("quiver/debug_500.html", TEMPLATE).expect("the debug page compiles");
        env
    })
}

/// Headers whose values are credentials: listed, never shown.
const SECRET_HEADERS: &[&str] = &["authorization", "cookie", "proxy-authorization", "x-api-key"];

/// Replaces a browser's 500 answer by the debug page.
pub(crate) async fn debug_page(request: Request, next: Next) -> Response {
    let wants_html = request
        .headers()
        .get_all(header::ACCEPT)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("text/html")));
    if !wants_html {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let request_id =
        request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let shown = if SECRET_HEADERS.contains(&name.as_str()) {
                "********".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, _body) = response.into_parts();
    let message = parts.extensions.get::<InternalError>().map(|e| e.0.clone());
    let rendered = environment().get_template("quiver/debug_500.html").and_then(|t| {
        t.render(context! {
            status => 500,
            reason => "Internal Server Error",
            method, path, request_id, message, headers,
        })
    });
    let html = match rendered {
        Ok(html) => html,
        Err(error) => {
            tracing::error!(%error, "the debug page could not be rendered");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
    };
    // The app's own error format (`App::error_handler`) gives way to the page.
    parts.extensions.remove::<ErrorReport>();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    parts.headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Response::from_parts(parts, axum::body::Body::from(html))
}
