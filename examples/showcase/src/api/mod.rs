//! The JSON API under `/api/`: products (list, detail, and writing them for staff), their
//! pictures, their reviews, the categories and the tags.
//!
//! Every handler declares what it takes (path, query, body, the caller) and what it returns;
//! validation, the 422 answers and the OpenAPI document at `/docs` follow from the types.

mod categories;
mod images;
mod products;
mod reviews;

use quiver::Route;

pub use images::{ImageUpload, MAX_IMAGE_BYTES};

/// Every route of the API.
pub fn routes() -> Vec<Route> {
    let mut routes = Vec::new();
    routes.extend(products::routes());
    routes.extend(images::routes());
    routes.extend(reviews::routes());
    routes.extend(categories::routes());
    routes
}
