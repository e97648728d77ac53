//! Reviews: anyone reads them, a logged-in customer writes one.

use quiver::Route;
use quiver::prelude::*;

use crate::catalogue::{self, ReviewView};
use crate::models::Product;

/// A new review.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewReview {
    /// From 1 (poor) to 5 (excellent).
    #[validate(range(min = 1, max = 5))]
    pub rating: i16,
    /// What you think of it.
    #[validate(length(min = 1, max = 2000))]
    pub body: String,
}

async fn product_id(db: &Db, id: i64) -> Result<i64> {
    let product = Product::objects().filter(Product::ID.eq(id)).get(db).await.or_404()?;
    Ok(product.id.value())
}

/// A product's reviews, newest first.
#[get("/api/products/{id}/reviews", tag = "reviews", error(404, "Product not found"))]
async fn list_reviews(db: State<Db>, #[path] id: i64) -> Result<Json<Vec<ReviewView>>> {
    let id = product_id(&db, id).await?;
    Ok(Json(catalogue::reviews_of(&db, id).await?))
}

/// Review a product (logged-in users).
///
/// Send a bearer token from `POST /auth/token`, or log in with a session (then send the
/// `X-CSRFToken` header too).
#[post("/api/products/{id}/reviews", tag = "reviews", error(404, "Product not found"))]
async fn create_review(
    db: State<Db>,
    user: CurrentUser,
    #[path] id: i64,
    Json(new): Json<NewReview>,
) -> Result<Created<ReviewView>> {
    let id = product_id(&db, id).await?;
    let mut review = catalogue::add_review(&db, id, user.user(), new.rating, &new.body).await?;
    review.author = ForeignKey::to(user.user().clone()).or_404()?;
    Ok(Created::new(ReviewView::of(review)))
}

pub(crate) fn routes() -> Vec<Route> {
    routes![list_reviews, create_review]
}
