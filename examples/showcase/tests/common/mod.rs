//! The tests' shop: an in-memory database with the migrations applied, a small known
//! catalogue, a staff member and a customer, pictures in a temporary folder.

#![allow(dead_code)] // Each test file uses its own part of the fixture.

use std::sync::Arc;

use quiver::auth::User;
use quiver::auth::password::PasswordHasher;
use quiver::deps::chrono::{Duration, Utc};
use quiver::deps::rust_decimal::Decimal;
use quiver::prelude::*;
use quiver::settings::Settings;
use serde_json::Value;
use showcase::Media;
use showcase::models::{Category, Product, Tag};

pub const PASSWORD: &str = "correct-horse-battery-9";

/// The app on a fresh database, with what the tests need to look behind it.
pub struct Shop {
    pub client: TestClient,
    pub ctx: ProjectContext,
    pub media: tempfile::TempDir,
}

impl Shop {
    pub fn db(&self) -> &Db {
        &self.ctx.db
    }

    /// The key of the product called `name`.
    pub async fn product_id(&self, name: &str) -> i64 {
        Product::objects().filter(Product::NAME.eq(name)).get(self.db()).await.unwrap().id.value()
    }

    /// A bearer token for `username`, from the OAuth2 password flow.
    pub async fn token(&self, username: &str) -> String {
        let response = self
            .client
            .post("/auth/token")
            .form(&[("username", username), ("password", PASSWORD)])
            .await;
        assert_eq!(response.status(), 200, "{}", response.text());
        response.json::<Value>()["access_token"].as_str().unwrap().to_owned()
    }
}

/// An empty, migrated shop (no products, no users).
pub async fn empty_shop() -> Shop {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    showcase::migrate(&db).await.unwrap();
    // The dev profile (debug on, so the app serves the media folder), without quiver.toml or
    // QUIVER_* variables from the environment.
    let settings = Settings::builder().toml("").profile("dev").without_env().load().unwrap();
    // A cheap hash: the tests log in often.
    let auth = Auth::new(&db, "test-secret-test-secret-test-secret!")
        .hasher(PasswordHasher::argon2id(8 * 1024, 1, 1));
    let ctx = ProjectContext { db, settings: Arc::new(settings), auth: Some(auth) };
    let media = tempfile::tempdir().unwrap();
    let client = TestClient::new(showcase::app_with_media(&ctx, Media::new(media.path())));
    Shop { client, ctx, media }
}

/// A shop with two categories, two tags, five products, staff member `sam` and customer
/// `cara` (both with [`PASSWORD`]).
///
/// | product         | category | price | stock | tags      |
/// |-----------------|----------|-------|-------|-----------|
/// | Blue Mug        | kitchen  | 12.00 | 5     | gift      |
/// | Red Mug         | kitchen  | 14.50 | 0     | gift, eco |
/// | Cast Iron Pan   | kitchen  | 49.00 | 2     |           |
/// | Bread Book      | books    | 25.00 | 10    | eco       |
/// | Night Sky Atlas | books    | 30.00 | 1     | gift      |
///
/// They were added in that order, a minute apart (the atlas is the newest).
pub async fn shop() -> Shop {
    let shop = empty_shop().await;
    let db = shop.db();
    let auth = shop.ctx.auth.as_ref().unwrap();
    let mut sam = auth.create_user("sam", "sam@example.com", PASSWORD).await.unwrap();
    sam.is_staff = true;
    sam.save(db).await.unwrap();
    auth.create_user("cara", "cara@example.com", PASSWORD).await.unwrap();

    let category = |name: &str, slug: &str| Category {
        id: Auto::new(),
        name: name.into(),
        slug: slug.into(),
        description: format!("All about {name}"),
        products: Reverse::new(),
    };
    let (mut kitchen, mut books) = (category("Kitchen", "kitchen"), category("Books", "books"));
    kitchen.insert(db).await.unwrap();
    books.insert(db).await.unwrap();
    let mut gift = Tag { id: Auto::new(), name: "Gift".into(), slug: "gift".into() };
    let mut eco = Tag { id: Auto::new(), name: "Eco".into(), slug: "eco".into() };
    gift.insert(db).await.unwrap();
    eco.insert(db).await.unwrap();

    let rows = [
        ("Blue Mug", &kitchen, 1200, 5, vec![&gift], "A sturdy stoneware mug."),
        ("Red Mug", &kitchen, 1450, 0, vec![&gift, &eco], "Glazed red, holds 350 ml."),
        ("Cast Iron Pan", &kitchen, 4900, 2, vec![], "A heavy skillet for steak."),
        ("Bread Book", &books, 2500, 10, vec![&eco], "Recipes for sourdough loaves."),
        ("Night Sky Atlas", &books, 3000, 1, vec![&gift], "Star charts for every month."),
    ];
    let start = Utc::now() - Duration::hours(1);
    for (n, (name, category, cents, stock, tags, description)) in rows.into_iter().enumerate() {
        let mut product = Product {
            id: Auto::new(),
            name: name.into(),
            slug: showcase::catalogue::slugify(name),
            description: description.into(),
            price: Decimal::new(cents, 2),
            stock,
            category: ForeignKey::new(category.id.value()),
            tags: ManyToMany::new(),
            image: None,
            created_at: start,
            reviews: Reverse::new(),
        };
        product.insert(db).await.unwrap();
        product.tags.add(db, tags).await.unwrap();
        // `auto_now_add` stamps the insert; spread the dates out so "newest" is well defined.
        let at = start + Duration::minutes(n as i64);
        Product::objects()
            .filter(Product::ID.eq(product.id.value()))
            .update()
            .set(Product::CREATED_AT, at)
            .execute(db)
            .await
            .unwrap();
    }
    shop
}

/// The names of a product list's results, in order.
pub fn names(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("not a product page: {page}"))
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The user called `username`.
pub async fn user(shop: &Shop, username: &str) -> User {
    User::objects().filter(User::USERNAME.eq(username)).get(shop.db()).await.unwrap()
}
