//! The shelves and the labels, for menus and filters.

use quiver::Route;
use quiver::prelude::*;

use crate::catalogue::{self, CategoryView};
use crate::models::Tag;

/// Every category, by name, with its number of products.
#[get("/api/categories", tag = "categories")]
async fn categories(db: State<Db>) -> Result<Json<Vec<CategoryView>>> {
    Ok(Json(catalogue::categories(&db).await?))
}

/// Every tag, by name.
#[get("/api/tags", tag = "tags")]
async fn tags(db: State<Db>) -> Result<Json<Vec<Tag>>> {
    Ok(Json(Tag::objects().all(&*db).await.or_404()?))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![categories, tags]
}
