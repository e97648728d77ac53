//! The shop's tables. Customers and staff are the auth app's users; everything else is here.
//!
//! One declaration feeds the table, the migration (`migrations/0001_initial.toml`), the admin's
//! forms and, for `Category` and `Tag`, the API's JSON schema too.

use quiver::auth::User;
use quiver::deps::chrono::{DateTime, Utc};
use quiver::deps::rust_decimal::Decimal;
use quiver::orm::ModelMeta;
use quiver::prelude::*;

/// A shelf of the shop (`Books`, `Kitchen`, ...).
#[derive(Model, Serialize, JsonSchema, Debug, Clone)]
#[model(table = "shop_category", ordering = ["name"], verbose_name_plural = "categories")]
pub struct Category {
    /// The key.
    pub id: Auto<i64>,
    /// The name shown in menus.
    #[field(max_length = 100, unique)]
    pub name: String,
    /// The URL name (`?category=kitchen`).
    #[field(max_length = 100, unique)]
    pub slug: String,
    /// A sentence shown above its products.
    #[field(default = "")]
    pub description: String,
    /// Its products (not a column: `Product.category` points here).
    #[serde(skip)]
    pub products: Reverse<Product>,
}

/// A label products share (`gift`, `eco`, ...).
#[derive(Model, Serialize, JsonSchema, Debug, Clone)]
#[model(table = "shop_tag", ordering = ["name"])]
pub struct Tag {
    /// The key.
    pub id: Auto<i64>,
    /// The label as shown.
    #[field(max_length = 50, unique)]
    pub name: String,
    /// The URL name (`?tag=gift`).
    #[field(max_length = 50, unique)]
    pub slug: String,
}

/// Something for sale.
#[derive(Model, Debug, Clone)]
#[model(table = "shop_product", ordering = ["name", "id"])]
pub struct Product {
    /// The key.
    pub id: Auto<i64>,
    /// The name on the shelf.
    #[field(max_length = 200)]
    pub name: String,
    /// The URL name (`/products/<slug>`).
    #[field(max_length = 200, unique)]
    pub slug: String,
    /// What it is, in a paragraph or two.
    #[field(default = "")]
    pub description: String,
    /// The price in euros, two decimals.
    #[field(max_digits = 10, decimal_places = 2)]
    pub price: Decimal,
    /// How many are in the warehouse.
    #[field(default = 0)]
    pub stock: i32,
    /// Its shelf; a category with products cannot be deleted.
    #[field(on_delete = protect, related_name = "products")]
    pub category: ForeignKey<Category>,
    /// Its labels.
    pub tags: ManyToMany<Tag>,
    /// The picture's path under the media folder (`products/12-a1b2c3.png`), if uploaded.
    #[field(max_length = 255)]
    pub image: Option<String>,
    /// When it was added.
    #[field(auto_now_add, index)]
    pub created_at: DateTime<Utc>,
    /// What customers said about it (not a column: `Review.product` points here).
    pub reviews: Reverse<Review>,
}

/// A customer's opinion of a product.
#[derive(Model, Validate, Debug, Clone)]
#[model(table = "shop_review", ordering = ["-created_at", "-id"])]
pub struct Review {
    /// The key.
    pub id: Auto<i64>,
    /// What it is about; reviews go with the product.
    #[field(on_delete = cascade, related_name = "reviews")]
    pub product: ForeignKey<Product>,
    /// Who wrote it; their reviews go with them.
    #[field(on_delete = cascade)]
    pub author: ForeignKey<User>,
    /// From 1 (poor) to 5 (excellent): checked by the API, the pages and the admin.
    #[validate(range(min = 1, max = 5))]
    pub rating: i16,
    /// What they wrote (the API and the pages take up to 2000 characters; the admin's text
    /// area takes what staff type).
    #[validate(length(min = 1))]
    pub body: String,
    /// When it was written.
    #[field(auto_now_add)]
    pub created_at: DateTime<Utc>,
}

/// The shop's models, for `migrate` and `makemigrations`.
pub fn models() -> Vec<&'static ModelMeta> {
    vec![Category::meta(), Tag::meta(), Product::meta(), Review::meta()]
}
