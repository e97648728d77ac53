//! Static files: CSS, scripts, images. Each is served with its content hash as ETag, a
//! Last-Modified date, and a year of caching when asked for by the hashed URL that `static()`
//! writes into pages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use httpdate::HttpDate;
use quiver_core::response::{IntoResponse, Response};
use quiver_core::{AppContext, HttpError};
use sha2::{Digest, Sha256};

use super::{PagesState, percent_decode, percent_encode_path, safe_relative};

/// One source of static files: a list built into the binary, or a folder read at run time.
/// Add them with [`Pages::static_files`](super::Pages::static_files).
///
/// ```
/// use quiver::pages::StaticFiles;
///
/// // Usually `include_bytes!("../static/css/site.css")`.
/// const STATIC: &[(&str, &[u8])] = &[("css/site.css", b"body { font-family: sans-serif }")];
///
/// let built_in = StaticFiles::embedded(STATIC);
/// let folder = StaticFiles::dir("static");
/// # let _ = (built_in, folder);
/// ```
#[derive(Debug, Clone)]
pub struct StaticFiles {
    source: Source,
}

#[derive(Debug, Clone)]
enum Source {
    Embedded(&'static [(&'static str, &'static [u8])]),
    Dir(PathBuf),
}

impl StaticFiles {
    /// Files built into the binary, as `(path, bytes)` pairs (`("css/site.css",
    /// include_bytes!(...))`). Their Last-Modified date is the executable's.
    ///
    /// ```
    /// use quiver::pages::StaticFiles;
    ///
    /// const STATIC: &[(&str, &[u8])] = &[("js/app.js", b"console.log('hi')")];
    /// let files = StaticFiles::embedded(STATIC);
    /// # let _ = files;
    /// ```
    pub fn embedded(files: &'static [(&'static str, &'static [u8])]) -> Self {
        Self { source: Source::Embedded(files) }
    }

    /// The files in folder `dir`, read when asked for (a changed file gets a new hash at once).
    /// Nothing outside the folder is ever served.
    ///
    /// ```
    /// use quiver::pages::StaticFiles;
    ///
    /// let files = StaticFiles::dir("static");
    /// # let _ = files;
    /// ```
    pub fn dir(dir: impl Into<PathBuf>) -> Self {
        Self { source: Source::Dir(dir.into()) }
    }
}

/// The length of the content hash in URLs and ETags (hex digits: 64 bits).
const HASH_LEN: usize = 16;

fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().take(HASH_LEN / 2).map(|b| format!("{b:02x}")).collect()
}

/// A folder's file as last hashed.
#[derive(Clone)]
struct Stamp {
    modified: SystemTime,
    len: u64,
    hash: String,
}

struct Dir {
    root: PathBuf,
    /// Hashes by relative path, valid while the file's size and modification time stay.
    stamps: Mutex<HashMap<PathBuf, Stamp>>,
}

struct Embedded {
    bytes: &'static [u8],
    hash: String,
}

/// Where a found file's bytes are.
pub(crate) enum Body {
    Embedded(&'static [u8]),
    File(PathBuf),
}

/// A static file found for a request.
pub(crate) struct Found {
    hash: String,
    modified: SystemTime,
    body: Body,
}

/// Every static file source of the app, with the URL prefix they are served under.
pub(crate) struct StaticSet {
    url: String,
    dirs: Vec<Dir>,
    embedded: HashMap<&'static str, Embedded>,
    /// Last-Modified of embedded files: when the executable was built (or the server started).
    built: SystemTime,
}

impl StaticSet {
    pub(crate) fn new(url: &str, sources: Vec<StaticFiles>) -> Self {
        let mut dirs = Vec::new();
        let mut embedded = HashMap::new();
        for source in sources {
            match source.source {
                Source::Dir(root) => dirs.push(Dir { root, stamps: Mutex::default() }),
                Source::Embedded(files) => {
                    for (path, bytes) in files {
                        embedded
                            .entry(*path)
                            .or_insert_with(|| Embedded { bytes, hash: content_hash(bytes) });
                    }
                }
            }
        }
        let built = std::env::current_exe()
            .and_then(std::fs::metadata)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        Self { url: url.to_owned(), dirs, embedded, built }
    }

    /// `/static/css/site.css?v=<hash>`, or why there is no such file.
    pub(crate) fn url_for(&self, path: &str) -> Result<String, String> {
        let path = path.trim_start_matches('/');
        match self.find(path) {
            Ok(Some(found)) => {
                Ok(format!("{}{}?v={}", self.url, percent_encode_path(path), found.hash))
            }
            Ok(None) => Err(format!(
                "static({path:?}): no such static file (add it to a `StaticFiles` source)"
            )),
            Err(e) => Err(format!("static({path:?}): {e}")),
        }
    }

    /// The file at relative `path`: from the first folder that has it, else the embedded lists.
    fn find(&self, path: &str) -> std::io::Result<Option<Found>> {
        let Some(relative) = safe_relative(path) else {
            return Ok(None);
        };
        for dir in &self.dirs {
            let full = dir.root.join(&relative);
            let meta = match std::fs::metadata(&full) {
                Ok(meta) if meta.is_file() => meta,
                Ok(_) => continue,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            let modified = meta.modified().unwrap_or(self.built);
            let known =
                dir.stamps.lock().unwrap_or_else(|e| e.into_inner()).get(&relative).cloned();
            let hash = match known {
                Some(stamp) if stamp.modified == modified && stamp.len == meta.len() => stamp.hash,
                _ => {
                    let hash = content_hash(&std::fs::read(&full)?);
                    let stamp = Stamp { modified, len: meta.len(), hash: hash.clone() };
                    dir.stamps.lock().unwrap_or_else(|e| e.into_inner()).insert(relative, stamp);
                    hash
                }
            };
            return Ok(Some(Found { hash, modified, body: Body::File(full) }));
        }
        Ok(self.embedded.get(path).map(|file| Found {
            hash: file.hash.clone(),
            modified: self.built,
            body: Body::Embedded(file.bytes),
        }))
    }
}

fn not_found() -> Response {
    HttpError::not_found("Not Found").into_response()
}

/// `GET /static/{*path}`.
pub(crate) async fn serve(app: AppContext, uri: Uri, headers: HeaderMap) -> Response {
    let Some(PagesState(pages)) = app.state::<PagesState>() else {
        return not_found();
    };
    let statics = pages.statics.clone();
    let path = uri.path().strip_prefix(statics.url.as_str()).and_then(percent_decode);
    let Some(path) = path else {
        return not_found();
    };
    let lookup = tokio::task::spawn_blocking(move || statics.find(&path)).await;
    let found = match lookup {
        Ok(Ok(Some(found))) => found,
        Ok(Ok(None)) => return not_found(),
        Ok(Err(error)) => {
            return quiver_core::Error::internal(format!("static file {}: {error}", uri.path()))
                .into_response();
        }
        Err(error) => return quiver_core::Error::internal(error).into_response(),
    };
    let versioned = uri
        .query()
        .and_then(|q| serde_html_form::from_str::<Vec<(String, String)>>(q).ok())
        .is_some_and(|pairs| pairs.iter().any(|(k, v)| k == "v" && *v == found.hash));
    let etag = format!("\"{}\"", found.hash);
    let last_modified = HttpDate::from(found.modified);
    let mut response = if not_modified(&headers, &etag, last_modified) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let bytes = match &found.body {
            Body::Embedded(bytes) => axum::body::Bytes::from_static(bytes),
            Body::File(path) => match tokio::fs::read(path).await {
                Ok(bytes) => bytes.into(),
                Err(error) => {
                    let message = format!("static file {}: {error}", path.display());
                    return quiver_core::Error::internal(message).into_response();
                }
            },
        };
        let mut response = bytes.into_response();
        let content_type = content_type(uri.path());
        if let Ok(value) = HeaderValue::from_str(&content_type) {
            response.headers_mut().insert(header::CONTENT_TYPE, value);
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&last_modified.to_string()) {
        headers.insert(header::LAST_MODIFIED, value);
    }
    // The hashed URL names this exact content: cache it for a year. Any other URL may change
    // under the same name: keep it a minute, then ask again (a 304 when unchanged).
    let cache = if versioned {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60, must-revalidate"
    };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether the client's copy is current: `If-None-Match` decides when sent (RFC 9110 §13.2.2),
/// else `If-Modified-Since`.
fn not_modified(headers: &HeaderMap, etag: &str, last_modified: HttpDate) -> bool {
    if let Some(value) = headers.get(header::IF_NONE_MATCH) {
        let value = value.to_str().unwrap_or_default();
        return value
            .split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag);
    }
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok())
        .is_some_and(|since| last_modified <= since)
}

/// The `Content-Type` for a file name, with `charset=utf-8` for text.
fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml" | "svg")
        || mime.suffix().is_some_and(|s| s == mime_guess::mime::XML || s == mime_guess::mime::JSON);
    if text && mime.get_param(mime_guess::mime::CHARSET).is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_carry_a_charset() {
        assert_eq!(content_type("a/site.css"), "text/css; charset=utf-8");
        assert!(content_type("app.js").ends_with("javascript; charset=utf-8"));
        assert_eq!(content_type("logo.svg"), "image/svg+xml; charset=utf-8");
        assert_eq!(content_type("photo.png"), "image/png");
        assert_eq!(content_type("blob"), "application/octet-stream");
    }

    #[test]
    fn etags_and_dates_decide_freshness() {
        let date = HttpDate::from(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000));
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"b\""));
        assert!(not_modified(&headers, "\"b\"", date));
        assert!(!not_modified(&headers, "\"c\"", date));
        let mut headers = HeaderMap::new();
        headers
            .insert(header::IF_MODIFIED_SINCE, HeaderValue::from_str(&date.to_string()).unwrap());
        assert!(not_modified(&headers, "\"c\"", date));
        let later = HttpDate::from(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(2000));
        assert!(!not_modified(&headers, "\"c\"", later));
    }
}
