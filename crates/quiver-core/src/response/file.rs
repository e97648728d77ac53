//! Files sent from disk, streamed, with their content type guessed from the name.

use std::path::Path;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use tokio_util::io::ReaderStream;

use crate::error::{HttpError, Result};

/// A file from disk, streamed in chunks. Opening a missing file fails with 404.
///
/// ```
/// use quiver_core::Result;
/// use quiver_core::response::FileResponse;
///
/// async fn report() -> Result<FileResponse> {
///     Ok(FileResponse::open("reports/latest.pdf").await?.download_as("report.pdf"))
/// }
/// ```
#[derive(Debug)]
pub struct FileResponse {
    response: Response,
}

impl FileResponse {
    /// Opens the file at `path` for sending.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = match tokio::fs::File::open(path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(HttpError::not_found("File not found").into());
            }
            Err(e) => return Err(e.into()),
        };
        let length = file.metadata().await?.len();
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let mut response = Body::from_stream(ReaderStream::new(file)).into_response();
        let headers = response.headers_mut();
        headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
        if let Ok(value) = HeaderValue::from_str(mime.as_ref()) {
            headers.insert(CONTENT_TYPE, value);
        }
        Ok(Self { response })
    }

    /// Asks the browser to save the file under `name` (`Content-Disposition: attachment`).
    pub fn download_as(mut self, name: &str) -> Self {
        let safe: String =
            name.chars().filter(|c| !c.is_control() && *c != '"' && *c != '\\').collect();
        if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
            self.response.headers_mut().insert(CONTENT_DISPOSITION, value);
        }
        self
    }
}

impl IntoResponse for FileResponse {
    fn into_response(self) -> Response {
        self.response
    }
}
