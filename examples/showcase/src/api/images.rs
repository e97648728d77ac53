//! Product pictures: `POST /api/products/{id}/image` with a `multipart/form-data` body.
//!
//! [`ImageUpload`] is an extractor of the app's own: it reads the `image` field, refuses
//! anything that is not a PNG, JPEG, GIF or WebP picture (by its declared type *and* its first
//! bytes) or is larger than [`MAX_IMAGE_BYTES`], and describes itself in the OpenAPI document.
//! The file is stored under the media folder with a name the server chooses, never the
//! client's.

use quiver::Route;
use quiver::auth::IsStaff;
use quiver::deps::schemars::SchemaGenerator;
use quiver::extract::{FromRequest, Request};
use quiver::openapi::OperationDoc;
use quiver::prelude::*;
use quiver::validation::{ErrorDetail, ValidationErrors};

use crate::Media;
use crate::catalogue::{self, ProductView};
use crate::models::Product;

/// The largest picture accepted: 2 MiB.
pub const MAX_IMAGE_BYTES: usize = 2 << 20;

/// The picture formats accepted: (content type, extension).
const FORMATS: [(&str, &str); 4] =
    [("image/png", "png"), ("image/jpeg", "jpg"), ("image/gif", "gif"), ("image/webp", "webp")];

/// Whether `bytes` start like a file of type `content_type` (its "magic number").
fn looks_like(content_type: &str, bytes: &[u8]) -> bool {
    match content_type {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => bytes.starts_with(b"\xff\xd8\xff"),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"),
        _ => false,
    }
}

/// A checked picture from the `image` field of a multipart body.
#[derive(Debug)]
pub struct ImageUpload {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The extension matching its format (`png`).
    pub extension: &'static str,
}

fn image_error(kind: &'static str, msg: String, input: serde_json::Value) -> quiver::Error {
    ValidationErrors::from(ErrorDetail::new(kind, vec!["body".into(), "image".into()], msg, input))
        .into()
}

impl FromRequest for ImageUpload {
    async fn from_request(req: Request, app: &AppContext) -> Result<Self> {
        let mut form = <Multipart as FromRequest>::from_request(req, app).await?;
        while let Some(mut field) = form.next_field().await? {
            if field.name() != Some("image") {
                continue;
            }
            let declared = field.content_type().unwrap_or("").to_owned();
            let Some((_, extension)) = FORMATS.iter().find(|(t, ..)| *t == declared) else {
                return Err(image_error(
                    "image_type",
                    format!(
                        "Upload a PNG, JPEG, GIF or WebP image (the file's type is {:?})",
                        if declared.is_empty() { "not given" } else { declared.as_str() }
                    ),
                    declared.as_str().into(),
                ));
            };
            // Read at most the limit: a larger file is refused without being stored.
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await? {
                if bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                    return Err(HttpError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!(
                            "The field \"image\" is larger than the limit of {} MiB",
                            MAX_IMAGE_BYTES >> 20
                        ),
                    )
                    .into());
                }
                bytes.extend_from_slice(&chunk);
            }
            if !looks_like(&declared, &bytes) {
                return Err(image_error(
                    "image_content",
                    format!("The file's content is not a {declared} image"),
                    declared.as_str().into(),
                ));
            }
            return Ok(ImageUpload { bytes, extension });
        }
        Err(ValidationErrors::from(ErrorDetail::missing(quiver::validation::Source::Body, "image"))
            .into())
    }

    fn describe(doc: &mut OperationDoc, _generator: &mut SchemaGenerator) {
        doc.request_body_with_schema(
            "multipart/form-data",
            serde_json::json!({
                "type": "object",
                "properties": {
                    "image": {
                        "type": "string",
                        "format": "binary",
                        "description": "A PNG, JPEG, GIF or WebP picture, at most 2 MiB.",
                    }
                },
                "required": ["image"],
            }),
        );
        doc.error_response(413, "The picture is larger than 2 MiB");
        doc.error_response(415, "The body is not multipart/form-data");
    }
}

/// Set a product's picture (staff only); it replaces the previous one.
///
/// Send `multipart/form-data` with the file in the `image` field. The answer is the product,
/// whose `image_url` now points at the picture.
#[post("/api/products/{id}/image", tag = "products", error(404, "Product not found"))]
async fn upload_image(
    db: State<Db>,
    media: State<Media>,
    _: Require<IsStaff>,
    #[path] id: i64,
    upload: ImageUpload,
) -> Result<Json<ProductView>> {
    let mut product = Product::objects().filter(Product::ID.eq(id)).get(&*db).await.or_404()?;
    let name = format!(
        "products/{id}-{}.{}",
        quiver::security::random_token(8).to_lowercase(),
        upload.extension
    );
    media.save(&name, &upload.bytes).await?;
    let previous = product.image.replace(name.clone());
    if let Err(error) = product.save(&*db).await {
        media.remove(&name).await;
        return Err(error).or_404();
    }
    if let Some(previous) = previous {
        media.remove(&previous).await;
    }
    Ok(Json(catalogue::product_by_id(&db, &media, id).await?))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![upload_image]
}
