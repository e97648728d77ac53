//! Uploaded files served from the media folder in debug mode (tower-http's `ServeDir`: ranges,
//! Last-Modified, no `..` escapes).

use http::{StatusCode, Uri};
use quiver_core::extract::Request;
use quiver_core::response::{IntoResponse, Response};
use quiver_core::{AppContext, HttpError};
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::PagesState;

/// `GET /media/{*path}` (registered only when debug is on).
pub(crate) async fn serve(app: AppContext, mut request: Request) -> Response {
    let not_found = || HttpError::not_found("Not Found").into_response();
    let Some((dir, url)) = app.state::<PagesState>().and_then(|p| p.0.media.clone()) else {
        return not_found();
    };
    let Some(rest) = request.uri().path().strip_prefix(url.as_str()) else {
        return not_found();
    };
    // ServeDir serves the request's path below its folder: drop the URL prefix.
    let Ok(uri) = format!("/{rest}").parse::<Uri>() else {
        return not_found();
    };
    *request.uri_mut() = uri;
    let service = ServeDir::new(dir)
        .append_index_html_on_directories(false)
        .redirect_to_trailing_slash(false);
    let Ok(response) = service.oneshot(request).await;
    if response.status() == StatusCode::NOT_FOUND {
        return not_found();
    }
    response.map(axum::body::Body::new)
}
