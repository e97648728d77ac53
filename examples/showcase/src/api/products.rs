//! Products: the list (filters, search, ordering, pages), one product, and for staff adding,
//! changing and deleting them.

use quiver::Route;
use quiver::auth::IsStaff;
use quiver::deps::rust_decimal::Decimal;
use quiver::prelude::*;
use validator::ValidationError;

use crate::Media;
use crate::catalogue::{self, ProductPage, ProductQuery, ProductView, field_error, slugify};
use crate::models::{Category, Product, Tag};

/// A new product.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct NewProduct {
    /// The name on the shelf.
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    /// The URL name; made from the name when left out.
    #[validate(length(min = 1, max = 200), custom(function = "valid_slug"))]
    pub slug: Option<String>,
    /// What it is.
    #[serde(default)]
    #[validate(length(max = 10000))]
    pub description: String,
    /// The price in euros, at least 0, two decimals at most: `"12.50"` (exact) or `12.5`.
    #[validate(custom(function = "valid_price"))]
    pub price: Decimal,
    /// How many are in the warehouse (default 0).
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000))]
    pub stock: i32,
    /// The category's slug (see `GET /api/categories`).
    #[validate(length(min = 1, max = 100))]
    pub category: String,
    /// Tag slugs (see `GET /api/tags`).
    #[serde(default)]
    #[validate(length(max = 20))]
    pub tags: Vec<String>,
}

/// Changes to a product; fields left out stay as they are.
#[derive(Debug, Deserialize, JsonSchema, Validate)]
pub struct ProductChanges {
    /// A new name.
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    /// A new URL name.
    #[validate(length(min = 1, max = 200), custom(function = "valid_slug"))]
    pub slug: Option<String>,
    /// A new description.
    #[validate(length(max = 10000))]
    pub description: Option<String>,
    /// A new price: `"12.50"` (exact) or `12.5`.
    #[validate(custom(function = "valid_price"))]
    pub price: Option<Decimal>,
    /// A new stock count.
    #[validate(range(min = 0, max = 1_000_000))]
    pub stock: Option<i32>,
    /// Another category's slug.
    #[validate(length(min = 1, max = 100))]
    pub category: Option<String>,
    /// The tag slugs, replacing the current ones.
    #[validate(length(max = 20))]
    pub tags: Option<Vec<String>>,
}

fn valid_slug(slug: &str) -> Result<(), ValidationError> {
    if slugify(slug) == slug {
        return Ok(());
    }
    Err(ValidationError::new("slug")
        .with_message("use lowercase letters, digits and single hyphens (`blue-mug`)".into()))
}

fn valid_price(price: &Decimal) -> Result<(), ValidationError> {
    if price.is_sign_negative() {
        return Err(ValidationError::new("price").with_message("must be 0 or more".into()));
    }
    if price.normalize().scale() > 2 {
        return Err(ValidationError::new("price").with_message("has more than 2 decimals".into()));
    }
    if *price >= Decimal::from(100_000_000) {
        return Err(ValidationError::new("price").with_message("must be below 100000000".into()));
    }
    Ok(())
}

/// The key of the category with `slug`, or a 422 naming `category`.
async fn category_id(db: &Db, slug: &str) -> Result<i64> {
    match Category::objects().filter(Category::SLUG.eq(slug)).first(db).await.or_404()? {
        Some(category) => Ok(category.id.value()),
        None => Err(field_error(
            "category",
            "unknown_category",
            format!("No category has the slug {slug:?}; see GET /api/categories"),
            slug.into(),
        )),
    }
}

/// The tags with these slugs, or a 422 naming `tags` and the unknown ones.
async fn tags_by_slug(db: &Db, slugs: &[String]) -> Result<Vec<Tag>> {
    let found = Tag::objects().filter(Tag::SLUG.in_(slugs.to_vec())).all(db).await.or_404()?;
    let unknown: Vec<&str> = slugs
        .iter()
        .filter(|slug| !found.iter().any(|t| &t.slug == *slug))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Ok(found);
    }
    Err(field_error(
        "tags",
        "unknown_tag",
        format!("No tag has the slug {}; see GET /api/tags", unknown.join(", ")),
        serde_json::json!(unknown),
    ))
}

/// A 422 naming `slug` when another product has it.
async fn check_slug_free(db: &Db, slug: &str, except: Option<i64>) -> Result<()> {
    let mut others = Product::objects().filter(Product::SLUG.eq(slug));
    if let Some(id) = except {
        others = others.exclude(Product::ID.eq(id));
    }
    if others.exists(db).await.or_404()? {
        return Err(field_error(
            "slug",
            "taken",
            format!("Another product has the slug {slug:?}"),
            slug.into(),
        ));
    }
    Ok(())
}

/// Products, filtered, searched, sorted and paged.
///
/// `q` finds every word in the name or the description; `category` and `tag` take slugs;
/// `ordering` is one of `name` (default), `price`, `-price`, `-created_at`. The answer carries
/// the total `count` and the number of `pages`.
#[get("/api/products", tag = "products")]
async fn list_products(
    db: State<Db>,
    media: State<Media>,
    Query(query): Query<ProductQuery>,
) -> Result<Json<ProductPage>> {
    Ok(Json(catalogue::product_page(&db, &media, &query).await?))
}

/// One product.
#[get("/api/products/{id}", tag = "products", error(404, "Product not found"))]
async fn get_product(
    db: State<Db>,
    media: State<Media>,
    #[path] id: i64,
) -> Result<Json<ProductView>> {
    Ok(Json(catalogue::product_by_id(&db, &media, id).await?))
}

/// Add a product (staff only).
///
/// Send a bearer token from `POST /auth/token`, or log in with a session (then send the
/// `X-CSRFToken` header too).
#[post("/api/products", tag = "products")]
async fn create_product(
    db: State<Db>,
    media: State<Media>,
    _: Require<IsStaff>,
    Json(new): Json<NewProduct>,
) -> Result<Created<ProductView>> {
    let slug = new.slug.clone().unwrap_or_else(|| slugify(&new.name));
    if slug.is_empty() {
        return Err(field_error(
            "slug",
            "missing",
            "The name has no letters or digits to make a slug from: send one".into(),
            serde_json::Value::Null,
        ));
    }
    check_slug_free(&db, &slug, None).await?;
    let category = category_id(&db, &new.category).await?;
    let tags = tags_by_slug(&db, &new.tags).await?;
    let id = db
        .atomic(|tx| async move {
            let mut product = Product {
                id: Auto::new(),
                name: new.name,
                slug,
                description: new.description,
                price: new.price,
                stock: new.stock,
                category: ForeignKey::new(category),
                tags: ManyToMany::new(),
                image: None,
                created_at: quiver::deps::chrono::Utc::now(),
                reviews: Reverse::new(),
            };
            product.insert(&tx).await?;
            product.tags.add(&tx, &tags).await?;
            Ok(product.id.value())
        })
        .await
        .or_404()?;
    let view = catalogue::product_by_id(&db, &media, id).await?;
    Ok(Created::new(view).location(format!("/api/products/{id}")))
}

/// Change a product (staff only); fields left out stay as they are.
#[patch("/api/products/{id}", tag = "products", error(404, "Product not found"))]
async fn update_product(
    db: State<Db>,
    media: State<Media>,
    _: Require<IsStaff>,
    #[path] id: i64,
    Json(changes): Json<ProductChanges>,
) -> Result<Json<ProductView>> {
    let mut product = Product::objects().filter(Product::ID.eq(id)).get(&*db).await.or_404()?;
    if let Some(slug) = changes.slug {
        check_slug_free(&db, &slug, Some(id)).await?;
        product.slug = slug;
    }
    if let Some(slug) = changes.category {
        product.category = ForeignKey::new(category_id(&db, &slug).await?);
    }
    let tags = match &changes.tags {
        Some(slugs) => Some(tags_by_slug(&db, slugs).await?),
        None => None,
    };
    if let Some(name) = changes.name {
        product.name = name;
    }
    if let Some(description) = changes.description {
        product.description = description;
    }
    if let Some(price) = changes.price {
        product.price = price;
    }
    if let Some(stock) = changes.stock {
        product.stock = stock;
    }
    db.atomic(|tx| async move {
        product.save(&tx).await?;
        if let Some(tags) = tags {
            product.tags.set(&tx, &tags).await?;
        }
        Ok(())
    })
    .await
    .or_404()?;
    Ok(Json(catalogue::product_by_id(&db, &media, id).await?))
}

/// Delete a product (staff only), with its reviews and its picture.
#[delete("/api/products/{id}", tag = "products", error(404, "Product not found"))]
async fn delete_product(
    db: State<Db>,
    media: State<Media>,
    _: Require<IsStaff>,
    #[path] id: i64,
) -> Result<NoContent> {
    let product = Product::objects().filter(Product::ID.eq(id)).get(&*db).await.or_404()?;
    product.delete(&*db).await.or_404()?;
    if let Some(path) = &product.image {
        media.remove(path).await;
    }
    Ok(NoContent)
}

pub(crate) fn routes() -> Vec<Route> {
    routes![list_products, get_product, create_product, update_product, delete_product]
}
