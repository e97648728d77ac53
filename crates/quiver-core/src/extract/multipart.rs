//! `multipart/form-data` bodies: fields and file uploads, streamed, with size limits.

use std::path::Path as FsPath;

use bytes::{Bytes, BytesMut};
use http::StatusCode;
use http::header::CONTENT_TYPE;
use tokio::io::AsyncWriteExt;

use super::body::check_declared_length;
use super::{FromRequest, Request, private::ViaRequest};
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, HttpError, Result};
use crate::openapi::OperationDoc;

/// Size limits for multipart bodies, set with [`App::multipart_limits`](crate::App::multipart_limits).
///
/// ```
/// use quiver_core::extract::MultipartLimits;
///
/// let limits = MultipartLimits { max_file_size: 5 << 20, ..MultipartLimits::default() };
/// assert_eq!(limits.max_total_size, 10 << 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartLimits {
    /// The largest whole body, in bytes (default 10 MiB).
    pub max_total_size: u64,
    /// The largest single field or file, in bytes (default 10 MiB).
    pub max_file_size: u64,
    /// Files up to this size stay in memory; larger ones spool to a temporary file (default 1 MiB).
    pub memory_threshold: usize,
}

impl Default for MultipartLimits {
    fn default() -> Self {
        Self { max_total_size: 10 << 20, max_file_size: 10 << 20, memory_threshold: 1 << 20 }
    }
}

/// A `multipart/form-data` body, read one field at a time.
///
/// ```
/// use quiver_core::extract::Multipart;
/// use quiver_core::Result;
///
/// async fn upload(mut form: Multipart) -> Result<String> {
///     let mut names = Vec::new();
///     while let Some(field) = form.next_field().await? {
///         if field.file_name().is_some() {
///             let file = field.into_upload().await?;
///             names.push(format!("{} ({} bytes)", file.file_name().unwrap_or(""), file.size()));
///         }
///     }
///     Ok(names.join(", "))
/// }
/// ```
pub struct Multipart {
    inner: multer::Multipart<'static>,
    limits: MultipartLimits,
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart").field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl FromRequest<ViaRequest> for Multipart {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let (parts, body) = req.into_parts();
        let limits = app.state::<MultipartLimits>().copied().unwrap_or_default();
        check_declared_length(
            &parts,
            usize::try_from(limits.max_total_size).unwrap_or(usize::MAX),
        )?;
        let content_type =
            parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let boundary = multer::parse_boundary(content_type).map_err(|_| {
            Error::from(HttpError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type must be multipart/form-data with a boundary",
            ))
        })?;
        let constraints = multer::Constraints::new().size_limit(
            multer::SizeLimit::new()
                .whole_stream(limits.max_total_size)
                .per_field(limits.max_file_size),
        );
        let inner =
            multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
        Ok(Self { inner, limits })
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        doc.request_body_with_schema(
            "multipart/form-data",
            serde_json::json!({ "type": "object" }),
        );
        doc.error_response(413, "Upload too large");
    }
}

fn multipart_error(error: multer::Error, limits: &MultipartLimits) -> Error {
    match error {
        multer::Error::StreamSizeExceeded { .. } => HttpError::payload_too_large(
            usize::try_from(limits.max_total_size).unwrap_or(usize::MAX),
        )
        .into(),
        multer::Error::FieldSizeExceeded { field_name, .. } => HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "Field {:?} is larger than the limit of {} bytes",
                field_name.unwrap_or_default(),
                limits.max_file_size
            ),
        )
        .into(),
        other => HttpError::bad_request(format!("Malformed multipart body: {other}")).into(),
    }
}

impl Multipart {
    /// The next field, or `None` at the end of the body.
    pub async fn next_field(&mut self) -> Result<Option<Field>> {
        let limits = self.limits;
        match self.inner.next_field().await {
            Ok(Some(inner)) => Ok(Some(Field { inner, limits })),
            Ok(None) => Ok(None),
            Err(e) => Err(multipart_error(e, &limits)),
        }
    }
}

/// One field of a multipart body: a plain value or a file.
pub struct Field {
    inner: multer::Field<'static>,
    limits: MultipartLimits,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name())
            .field("file_name", &self.file_name())
            .finish_non_exhaustive()
    }
}

impl Field {
    /// The form field's name.
    pub fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    /// The uploaded file's name, for file fields.
    pub fn file_name(&self) -> Option<&str> {
        self.inner.file_name()
    }

    /// The content type the client declared for this field.
    pub fn content_type(&self) -> Option<&str> {
        self.inner.content_type().map(|m| m.essence_str())
    }

    /// The next chunk of the field's data, or `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        let limits = self.limits;
        self.inner.chunk().await.map_err(|e| multipart_error(e, &limits))
    }

    /// The whole field in memory (bounded by the per-field limit).
    pub async fn bytes(mut self) -> Result<Bytes> {
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.chunk().await? {
            buf.extend_from_slice(&chunk);
        }
        Ok(buf.freeze())
    }

    /// The whole field as UTF-8 text.
    pub async fn text(self) -> Result<String> {
        let name = self.name().unwrap_or_default().to_owned();
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.into()).map_err(|_| {
            HttpError::bad_request(format!("Field {name:?} is not valid UTF-8 text")).into()
        })
    }

    /// Streams the field to a file at `path`, returning the bytes written.
    pub async fn save_to(mut self, path: impl AsRef<FsPath>) -> Result<u64> {
        let mut file = tokio::fs::File::create(path).await?;
        let mut written = 0u64;
        while let Some(chunk) = self.chunk().await? {
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        Ok(written)
    }

    /// Receives the whole field as an [`UploadedFile`]: in memory while it is small, spooled to a
    /// temporary file (deleted when dropped) past the memory threshold.
    pub async fn into_upload(mut self) -> Result<UploadedFile> {
        let name = self.name().map(str::to_owned);
        let file_name = self.file_name().map(str::to_owned);
        let content_type = self.content_type().map(str::to_owned);
        let threshold = self.limits.memory_threshold;
        let mut memory = BytesMut::new();
        let mut disk: Option<(tempfile::NamedTempFile, tokio::fs::File)> = None;
        let mut size = 0u64;
        while let Some(chunk) = self.chunk().await? {
            size += chunk.len() as u64;
            if disk.is_none() && memory.len() + chunk.len() > threshold {
                let temp = tempfile::NamedTempFile::new()?;
                let mut file = tokio::fs::File::from_std(temp.reopen()?);
                file.write_all(&memory).await?;
                memory.clear();
                disk = Some((temp, file));
            }
            match &mut disk {
                Some((_, file)) => file.write_all(&chunk).await?,
                None => memory.extend_from_slice(&chunk),
            }
        }
        let storage = match disk {
            Some((temp, mut file)) => {
                file.flush().await?;
                Storage::Disk(temp)
            }
            None => Storage::Memory(memory.freeze()),
        };
        Ok(UploadedFile { name, file_name, content_type, size, storage })
    }
}

/// A received file: small ones in memory, larger ones in a temporary file removed on drop.
#[derive(Debug)]
pub struct UploadedFile {
    name: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    size: u64,
    storage: Storage,
}

#[derive(Debug)]
enum Storage {
    Memory(Bytes),
    Disk(tempfile::NamedTempFile),
}

impl UploadedFile {
    /// The form field's name.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The file name the client sent. Never use it as a path unchecked.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type the client declared.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// True when the file was spooled to disk.
    pub fn is_on_disk(&self) -> bool {
        matches!(self.storage, Storage::Disk(_))
    }

    /// The file's contents.
    pub async fn bytes(&self) -> Result<Bytes> {
        match &self.storage {
            Storage::Memory(bytes) => Ok(bytes.clone()),
            Storage::Disk(temp) => Ok(tokio::fs::read(temp.path()).await?.into()),
        }
    }

    /// Moves (or writes) the file to `path`.
    pub async fn persist(self, path: impl AsRef<FsPath>) -> Result<()> {
        match self.storage {
            Storage::Memory(bytes) => tokio::fs::write(path, bytes).await?,
            Storage::Disk(temp) => {
                let path = path.as_ref().to_owned();
                // A rename fails across file systems: fall back to a copy.
                if let Err(e) = temp.persist(&path) {
                    tokio::fs::copy(e.file.path(), &path).await?;
                }
            }
        }
        Ok(())
    }
}
