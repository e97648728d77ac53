//! What the API and the pages both show: the product list with its filters, search, ordering
//! and pages, and the views of products and reviews. One query, two front ends.

use quiver::auth::User;
use quiver::deps::chrono::{DateTime, Utc};
use quiver::deps::rust_decimal::Decimal;
use quiver::prelude::*;
use quiver::validation::{ErrorDetail, LocItem, ValidationErrors};

use crate::Media;
use crate::models::{Category, Product, Review, Tag};

/// How a list is sorted (`?ordering=-price`): `name` (A to Z, the default), `price` (cheapest
/// first), `-price` (dearest first) or `-created_at` (newest first). Any other value is a 422
/// naming `ordering` and listing these four.
// The variants have no doc comments of their own: with them, the schema would be a `oneOf` of
// described constants, and a wrong value would get a vaguer message than an `enum`'s.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Ordering {
    #[default]
    #[serde(rename = "name")]
    Name,
    #[serde(rename = "price")]
    Price,
    #[serde(rename = "-price")]
    PriceDesc,
    #[serde(rename = "-created_at")]
    Newest,
}

impl Ordering {
    /// Every value, with a label for the pages' sort menu.
    pub const ALL: [(Ordering, &'static str, &'static str); 4] = [
        (Ordering::Name, "name", "Name"),
        (Ordering::Price, "price", "Price: low to high"),
        (Ordering::PriceDesc, "-price", "Price: high to low"),
        (Ordering::Newest, "-created_at", "Newest"),
    ];

    /// The value as written in the query string.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(o, ..)| *o == self).map_or("name", |(_, name, _)| name)
    }

    fn apply(self, set: QuerySet<Product>) -> QuerySet<Product> {
        // The key last, so equal prices or names keep a stable order across pages.
        match self {
            Ordering::Name => set.order_by([Product::NAME.asc(), Product::ID.asc()]),
            Ordering::Price => set.order_by([Product::PRICE.asc(), Product::ID.asc()]),
            Ordering::PriceDesc => set.order_by([Product::PRICE.desc(), Product::ID.asc()]),
            Ordering::Newest => set.order_by([Product::CREATED_AT.desc(), Product::ID.desc()]),
        }
    }
}

/// The product list's filters, search, ordering and page (`GET /api/products?...`).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema, Validate)]
pub struct ProductQuery {
    /// Words to find in the name or the description.
    #[validate(length(max = 100))]
    pub q: Option<String>,
    /// Only this category (its slug).
    pub category: Option<String>,
    /// Only products with this tag (its slug).
    pub tag: Option<String>,
    /// Only products costing at least this much.
    pub min_price: Option<Decimal>,
    /// Only products costing at most this much.
    pub max_price: Option<Decimal>,
    /// `true`: only products in stock; `false`: only sold-out ones.
    pub in_stock: Option<bool>,
    /// `name` (default), `price`, `-price` or `-created_at`.
    pub ordering: Option<Ordering>,
    /// The page, from 1.
    #[validate(range(min = 1, max = 100_000))]
    pub page: Option<u64>,
    /// Products per page (default 12, at most 100).
    #[validate(range(min = 1, max = 100))]
    pub size: Option<u64>,
}

/// The default page size.
pub const PAGE_SIZE: u64 = 12;

impl ProductQuery {
    /// The products matching the filters and the search, unordered and unpaged.
    pub fn filtered(&self) -> QuerySet<Product> {
        let mut set = Product::objects();
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // Every word must appear in the name or the description.
            for word in q.split_whitespace() {
                set = set
                    .filter(Product::NAME.icontains(word) | Product::DESCRIPTION.icontains(word));
            }
        }
        if let Some(slug) = self.category.as_deref().filter(|s| !s.is_empty()) {
            set = set.filter(Product::CATEGORY.then(Category::SLUG).eq(slug));
        }
        if let Some(slug) = self.tag.as_deref().filter(|s| !s.is_empty()) {
            set = set.filter(Product::TAGS.any(Tag::SLUG.eq(slug)));
        }
        if let Some(min) = self.min_price {
            set = set.filter(Product::PRICE.gte(min));
        }
        if let Some(max) = self.max_price {
            set = set.filter(Product::PRICE.lte(max));
        }
        match self.in_stock {
            Some(true) => set = set.filter(Product::STOCK.gt(0)),
            Some(false) => set = set.filter(Product::STOCK.lte(0)),
            None => {}
        }
        set
    }

    /// The requested page (from 1) and its size.
    pub fn page_and_size(&self) -> (u64, u64) {
        (self.page.unwrap_or(1).max(1), self.size.unwrap_or(PAGE_SIZE).clamp(1, 100))
    }
}

/// A product as the API and the pages show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProductView {
    /// The key.
    pub id: i64,
    /// The name.
    pub name: String,
    /// The URL name.
    pub slug: String,
    /// What it is.
    pub description: String,
    /// The price in euros, a decimal string (`"12.50"`).
    pub price: Decimal,
    /// How many are in the warehouse.
    pub stock: i32,
    /// Whether it can be ordered now.
    pub in_stock: bool,
    /// Its shelf.
    pub category: Category,
    /// Its labels, by name.
    pub tags: Vec<Tag>,
    /// The picture's URL, once one was uploaded.
    pub image_url: Option<String>,
    /// The average rating (1–5, one decimal), when it has reviews.
    pub rating: Option<f64>,
    /// How many reviews it has.
    pub review_count: u64,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// Its page on the site.
    pub url: String,
}

/// One page of products, with the total.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ProductPage {
    /// How many products match, all pages together.
    pub count: u64,
    /// This page's number, from 1.
    pub page: u64,
    /// Products per page.
    pub size: u64,
    /// How many pages there are (at least 1).
    pub pages: u64,
    /// The products of this page.
    pub results: Vec<ProductView>,
}

/// The page `query` asks for: two queries (the count, then the page with its category, tags
/// and review statistics) plus one for the tags, whatever the page size.
pub async fn product_page(db: &Db, media: &Media, query: &ProductQuery) -> Result<ProductPage> {
    let set = query.filtered();
    let count = set.count(db).await.or_404()?;
    let (page, size) = query.page_and_size();
    let offset = (page - 1).saturating_mul(size);
    let set = query.ordering.unwrap_or_default().apply(set).slice(offset..offset + size);
    let results = views(db, media, set).await?;
    Ok(ProductPage { count, page, size, pages: count.div_ceil(size).max(1), results })
}

/// The products of `set` as views, with their category, tags and review statistics.
pub async fn views(db: &Db, media: &Media, set: QuerySet<Product>) -> Result<Vec<ProductView>> {
    let rows = set
        .select_related(Product::CATEGORY)
        .prefetch_related(Product::TAGS)
        .annotate(Product::REVIEWS.count().alias("review_count"))
        .annotate(Product::REVIEWS.avg(Review::RATING).alias("rating"))
        .all_annotated(db)
        .await
        .or_404()?;
    rows.into_iter()
        .map(|row| {
            let review_count = row.values["review_count"].as_u64().unwrap_or(0);
            let rating = row.values["rating"].as_f64().map(|r| (r * 10.0).round() / 10.0);
            view(media, row.row, review_count, rating)
        })
        .collect()
}

fn view(
    media: &Media,
    product: Product,
    review_count: u64,
    rating: Option<f64>,
) -> Result<ProductView> {
    let category = product
        .category
        .get()
        .cloned()
        .ok_or_else(|| quiver::Error::internal("a product's category was not loaded"))?;
    // By name: `prefetch_related` keeps the Tag model's ordering.
    let tags = product.tags.loaded().unwrap_or_default().to_vec();
    Ok(ProductView {
        id: product.id.value(),
        url: format!("/products/{}", product.slug),
        image_url: product.image.as_deref().map(|path| media.url_of(path)),
        in_stock: product.stock > 0,
        tags,
        name: product.name,
        slug: product.slug,
        description: product.description,
        // Always two decimals (`"12.50"`), however the database hands the value back.
        price: two_decimals(product.price),
        stock: product.stock,
        category,
        rating,
        review_count,
        created_at: product.created_at,
    })
}

/// `12.5` → `12.50`.
fn two_decimals(price: Decimal) -> Decimal {
    let mut price = price.round_dp(2);
    price.rescale(2);
    price
}

/// The product with key `id` as a view; 404 when there is none.
pub async fn product_by_id(db: &Db, media: &Media, id: i64) -> Result<ProductView> {
    one(db, media, Product::objects().filter(Product::ID.eq(id))).await
}

/// The product with URL name `slug` as a view; 404 when there is none.
pub async fn product_by_slug(db: &Db, media: &Media, slug: &str) -> Result<ProductView> {
    one(db, media, Product::objects().filter(Product::SLUG.eq(slug))).await
}

async fn one(db: &Db, media: &Media, set: QuerySet<Product>) -> Result<ProductView> {
    views(db, media, set)
        .await?
        .pop()
        .ok_or_else(|| HttpError::not_found("Product not found").into())
}

/// A category and how many products it holds.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CategoryView {
    /// The category.
    #[serde(flatten)]
    pub category: Category,
    /// How many products it holds.
    pub product_count: u64,
}

/// Every category, by name, with its number of products (one query).
pub async fn categories(db: &Db) -> Result<Vec<CategoryView>> {
    let rows = Category::objects()
        .annotate(Category::PRODUCTS.count().alias("product_count"))
        .all_annotated(db)
        .await
        .or_404()?;
    Ok(rows
        .into_iter()
        .map(|row| CategoryView {
            product_count: row.values["product_count"].as_u64().unwrap_or(0),
            category: row.row,
        })
        .collect())
}

/// A review as the API and the pages show it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ReviewView {
    /// The key.
    pub id: i64,
    /// 1 to 5.
    pub rating: i16,
    /// What they wrote.
    pub body: String,
    /// The author's username.
    pub author: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}

impl ReviewView {
    /// The view of `review`, loaded with its author.
    pub fn of(review: Review) -> Self {
        let author = review.author.get().map(|u: &User| u.username.clone()).unwrap_or_default();
        ReviewView {
            id: review.id.value(),
            rating: review.rating,
            body: review.body,
            author,
            created_at: review.created_at,
        }
    }
}

/// The reviews of product `id`, newest first.
pub async fn reviews_of(db: &Db, product: i64) -> Result<Vec<ReviewView>> {
    let reviews = Review::objects()
        .filter(Review::PRODUCT.eq(product))
        .select_related(Review::AUTHOR)
        .all(db)
        .await
        .or_404()?;
    Ok(reviews.into_iter().map(ReviewView::of).collect())
}

/// Saves a review of `product` by `author` after the model's own checks (`full_clean`: a
/// rating from 1 to 5, a body that is not empty), which answer a 422 naming the field.
pub async fn add_review(
    db: &Db,
    product: i64,
    author: &User,
    rating: i16,
    body: &str,
) -> Result<Review> {
    let mut review = Review {
        id: Auto::new(),
        product: ForeignKey::new(product),
        author: ForeignKey::new(author.id.value()),
        rating,
        body: body.trim().to_owned(),
        created_at: Utc::now(),
    };
    review.full_clean().or_404()?;
    review.insert(db).await.or_404()?;
    Ok(review)
}

/// A 422 about one field of the body: `{"type": kind, "loc": ["body", field], ...}`.
pub fn field_error(
    field: &str,
    kind: &'static str,
    msg: String,
    input: serde_json::Value,
) -> quiver::Error {
    let loc: Vec<LocItem> = vec!["body".into(), field.to_owned().into()];
    ValidationErrors::from(ErrorDetail::new(kind, loc, msg, input)).into()
}

/// `Kitchen & Garden!` → `kitchen-garden`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_become_slugs() {
        assert_eq!(super::slugify("Kitchen & Garden!"), "kitchen-garden");
        assert_eq!(super::slugify("  Café  crème "), "caf-cr-me");
        assert_eq!(super::slugify("!!!"), "");
    }
}
