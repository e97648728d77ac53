//! The JSON API as a client sees it: lists (pages, filters, search, ordering), staff-only
//! writes with a token or a session, picture uploads, reviews, the 4xx answers naming the
//! field, and the OpenAPI document.

mod common;

use common::{PASSWORD, names, shop};
use quiver::testing::MultipartForm;
use serde_json::{Value, json};

/// A tiny PNG: the signature, then enough bytes to look like a file.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1]);
    bytes
}

/// The locations of a 422's problems, as `"query.ordering"`.
fn locations(body: &Value) -> Vec<String> {
    body["detail"]
        .as_array()
        .unwrap_or_else(|| panic!("not a validation error: {body}"))
        .iter()
        .map(|d| {
            let parts: Vec<String> = d["loc"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned))
                .collect();
            parts.join(".")
        })
        .collect()
}

#[tokio::test]
async fn products_come_in_pages_with_a_total() {
    let shop = shop().await;
    let first: Value = shop.client.get("/api/products?size=2").await.json();
    assert_eq!((first["count"].as_u64(), first["pages"].as_u64()), (Some(5), Some(3)));
    assert_eq!((first["page"].as_u64(), first["size"].as_u64()), (Some(1), Some(2)));
    assert_eq!(names(&first), ["Blue Mug", "Bread Book"], "by name by default");
    let last: Value = shop.client.get("/api/products?size=2&page=3").await.json();
    assert_eq!(names(&last), ["Red Mug"]);
    let beyond: Value = shop.client.get("/api/products?size=2&page=9").await.json();
    assert_eq!(names(&beyond), Vec::<String>::new());
    assert_eq!(beyond["count"], 5);

    let product = &first["results"][0];
    assert_eq!(product["price"], "12.00", "a decimal string, always two decimals");
    assert_eq!(product["category"]["slug"], "kitchen");
    assert_eq!(product["tags"][0]["slug"], "gift");
    assert_eq!(product["url"], "/products/blue-mug");
    assert_eq!(product["in_stock"], true);
    assert_eq!(product["image_url"], Value::Null);
}

#[tokio::test]
async fn products_are_filtered_by_category_price_stock_and_tag() {
    let shop = shop().await;
    let get = |query: &'static str| {
        let client = shop.client.clone();
        async move { names(&client.get(&format!("/api/products?{query}")).await.json()) }
    };
    assert_eq!(get("category=books").await, ["Bread Book", "Night Sky Atlas"]);
    assert_eq!(
        get("min_price=13&max_price=30").await,
        ["Bread Book", "Night Sky Atlas", "Red Mug"]
    );
    assert_eq!(get("min_price=14.5&max_price=14.50").await, ["Red Mug"]);
    assert_eq!(get("in_stock=false").await, ["Red Mug"]);
    assert_eq!(get("in_stock=true").await.len(), 4);
    assert_eq!(get("tag=eco").await, ["Bread Book", "Red Mug"]);
    assert_eq!(get("category=kitchen&tag=gift&in_stock=true").await, ["Blue Mug"]);
    assert_eq!(get("category=garden").await, Vec::<String>::new());
}

#[tokio::test]
async fn search_finds_every_word_in_the_name_or_the_description() {
    let shop = shop().await;
    let get = |query: &'static str| {
        let client = shop.client.clone();
        async move { names(&client.get(&format!("/api/products?q={query}")).await.json()) }
    };
    assert_eq!(get("MUG").await, ["Blue Mug", "Red Mug"], "case-insensitive");
    assert_eq!(get("sourdough").await, ["Bread Book"], "in the description");
    assert_eq!(get("red+mug").await, ["Red Mug"], "every word");
    assert_eq!(get("mug+sourdough").await, Vec::<String>::new());
}

#[tokio::test]
async fn ordering_is_one_of_four_and_anything_else_is_a_422_naming_it() {
    let shop = shop().await;
    let get = |ordering: &'static str| {
        let client = shop.client.clone();
        async move { names(&client.get(&format!("/api/products?ordering={ordering}")).await.json()) }
    };
    assert_eq!(get("price").await[0], "Blue Mug");
    assert_eq!(get("-price").await[..2], ["Cast Iron Pan", "Night Sky Atlas"]);
    assert_eq!(get("-created_at").await[..2], ["Night Sky Atlas", "Bread Book"]);
    assert_eq!(get("name").await[0], "Blue Mug");

    let bad = shop.client.get("/api/products?ordering=popularity").await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json();
    assert_eq!(locations(&body), ["query.ordering"], "{body}");
    assert_eq!(body["detail"][0]["input"], "popularity");

    let bad: Value = shop.client.get("/api/products?size=0&page=x&min_price=cheap").await.json();
    let mut found = locations(&bad);
    found.sort();
    assert_eq!(found, ["query.min_price", "query.page", "query.size"], "every problem at once");
}

#[tokio::test]
async fn one_product_or_a_404() {
    let shop = shop().await;
    let id = shop.product_id("Red Mug").await;
    let product: Value = shop.client.get(&format!("/api/products/{id}")).await.json();
    assert_eq!(product["name"], "Red Mug");
    assert_eq!(product["in_stock"], false);
    assert_eq!(product["price"], "14.50");
    let tags: Vec<&str> =
        product["tags"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(tags, ["eco", "gift"]);
    assert_eq!(
        (product["rating"].clone(), product["review_count"].clone()),
        (Value::Null, json!(0))
    );

    let missing = shop.client.get("/api/products/9999").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>(), json!({"detail": "Product not found"}));
    assert_eq!(shop.client.get("/api/products/blue-mug").await.status(), 422, "ids are numbers");
}

#[tokio::test]
async fn only_staff_write_products_with_a_token() {
    let shop = shop().await;
    let new = json!({"name": "Green Mug", "price": "13.00", "stock": 4, "category": "kitchen", "tags": ["eco"]});
    let anonymous = shop.client.post("/api/products").json(&new).await;
    assert_eq!(anonymous.status(), 401);
    let customer = shop.token("cara").await;
    let refused = shop.client.post("/api/products").bearer(&customer).json(&new).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().contains("staff"), "{}", refused.text());

    let staff = shop.token("sam").await;
    let created = shop.client.post("/api/products").bearer(&staff).json(&new).await;
    assert_eq!(created.status(), 201, "{}", created.text());
    let product: Value = created.json();
    assert_eq!(product["slug"], "green-mug", "made from the name");
    assert_eq!(product["tags"][0]["slug"], "eco");
    let url = format!("/api/products/{}", product["id"]);
    assert_eq!(created.header("location"), Some(url.as_str()));
    let listed: Value = shop.client.get("/api/products?q=green").await.json();
    assert_eq!(names(&listed), ["Green Mug"]);

    let changed = shop
        .client
        .patch(&url)
        .bearer(&staff)
        .json(&json!({"price": 9.5, "stock": 0, "tags": []}))
        .await;
    assert_eq!(changed.status(), 200, "{}", changed.text());
    let product: Value = changed.json();
    assert_eq!(
        (product["price"].clone(), product["in_stock"].clone()),
        (json!("9.50"), json!(false))
    );
    assert_eq!(product["tags"], json!([]));
    assert_eq!(product["name"], "Green Mug", "left out, kept");

    assert_eq!(shop.client.delete(&url).bearer(&customer).await.status(), 403);
    assert_eq!(shop.client.delete(&url).bearer(&staff).await.status(), 204);
    assert_eq!(shop.client.get(&url).await.status(), 404);
    assert_eq!(shop.client.delete(&url).bearer(&staff).await.status(), 404);
}

#[tokio::test]
async fn bad_products_are_422s_naming_each_field() {
    let shop = shop().await;
    let staff = shop.token("sam").await;
    let bad = json!({"name": "", "slug": "Not A Slug", "price": "-1", "stock": -3, "category": "kitchen"});
    let response = shop.client.post("/api/products").bearer(&staff).json(&bad).await;
    assert_eq!(response.status(), 422);
    let mut found = locations(&response.json());
    found.sort();
    assert_eq!(found, ["body.name", "body.price", "body.slug", "body.stock"]);

    // A price that is not a number is named with the other problems, not instead of them.
    let bad = json!({"name": "", "price": "cheap", "category": "kitchen"});
    let response = shop.client.post("/api/products").bearer(&staff).json(&bad).await;
    assert_eq!(response.status(), 422);
    let mut found = locations(&response.json());
    found.sort();
    assert_eq!(found, ["body.name", "body.price"], "{}", response.text());

    let unknown =
        json!({"name": "Vase", "price": "10", "category": "garden", "tags": ["gift", "rare"]});
    let response = shop.client.post("/api/products").bearer(&staff).json(&unknown).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json();
    assert_eq!(locations(&body), ["body.category"], "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("garden"));

    let unknown_tag =
        json!({"name": "Vase", "price": "10", "category": "kitchen", "tags": ["gift", "rare"]});
    let body: Value =
        shop.client.post("/api/products").bearer(&staff).json(&unknown_tag).await.json();
    assert_eq!(locations(&body), ["body.tags"], "{body}");
    assert_eq!(body["detail"][0]["input"], json!(["rare"]));

    let taken = json!({"name": "Blue Mug", "price": "10", "category": "kitchen"});
    let body: Value = shop.client.post("/api/products").bearer(&staff).json(&taken).await.json();
    assert_eq!(locations(&body), ["body.slug"], "{body}");

    for price in [json!("1.999"), json!("cheap"), json!(true)] {
        let vase = json!({"name": "Vase", "price": price, "category": "kitchen"});
        let body: Value = shop.client.post("/api/products").bearer(&staff).json(&vase).await.json();
        assert_eq!(locations(&body), ["body.price"], "{body}");
    }

    let missing: Value =
        shop.client.post("/api/products").bearer(&staff).json(&json!({})).await.json();
    let mut found = locations(&missing);
    found.sort();
    assert_eq!(found, ["body.category", "body.name", "body.price"]);
}

#[tokio::test]
async fn a_session_works_as_well_as_a_token_with_the_csrf_header() {
    let shop = shop().await;
    let login = shop
        .client
        .post("/auth/login")
        .json(&json!({"username": "sam", "password": PASSWORD}))
        .await;
    assert_eq!(login.status(), 200, "{}", login.text());
    let token: Value = shop.client.get("/auth/csrf").await.json();
    let token = token["csrf_token"].as_str().unwrap().to_owned();
    let new = json!({"name": "Teapot", "price": "35.00", "category": "kitchen"});

    let forged = shop.client.post("/api/products").json(&new).await;
    assert_eq!(forged.status(), 403, "a session without the CSRF token is refused");
    let created = shop.client.post("/api/products").header("x-csrftoken", &token).json(&new).await;
    assert_eq!(created.status(), 201, "{}", created.text());
}

#[tokio::test]
async fn staff_upload_a_picture_that_is_then_served() {
    let shop = shop().await;
    let staff = shop.token("sam").await;
    let id = shop.product_id("Blue Mug").await;
    let url = format!("/api/products/{id}/image");
    let form = || MultipartForm::new().file("image", "mug.png", "image/png", png());

    let customer = shop.token("cara").await;
    assert_eq!(shop.client.post(&url).bearer(&customer).multipart(form()).await.status(), 403);

    let uploaded = shop.client.post(&url).bearer(&staff).multipart(form()).await;
    assert_eq!(uploaded.status(), 200, "{}", uploaded.text());
    let image_url = uploaded.json::<Value>()["image_url"].as_str().unwrap().to_owned();
    assert!(image_url.starts_with(&format!("/media/products/{id}-")), "{image_url}");
    assert!(image_url.ends_with(".png"), "the server names the file, not the client");
    let served = shop.client.get(&image_url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.bytes().as_ref(), png().as_slice());
    assert_eq!(served.content_type(), Some("image/png"));
    let detail: Value = shop.client.get(&format!("/api/products/{id}")).await.json();
    assert_eq!(detail["image_url"], image_url.as_str());

    // A new picture replaces the old file.
    let again = shop.client.post(&url).bearer(&staff).multipart(form()).await;
    let second = again.json::<Value>()["image_url"].as_str().unwrap().to_owned();
    assert_ne!(second, image_url);
    assert_eq!(shop.client.get(&image_url).await.status(), 404);
    let stored: Vec<_> = std::fs::read_dir(shop.media.path().join("products")).unwrap().collect();
    assert_eq!(stored.len(), 1);

    // Deleting the product deletes its picture.
    assert_eq!(
        shop.client.delete(&format!("/api/products/{id}")).bearer(&staff).await.status(),
        204
    );
    assert_eq!(shop.client.get(&second).await.status(), 404);
}

#[tokio::test]
async fn uploads_are_checked_for_type_content_and_size() {
    let shop = shop().await;
    let staff = shop.token("sam").await;
    let url = format!("/api/products/{}/image", shop.product_id("Blue Mug").await);
    let send = |form: MultipartForm| {
        let (client, url, staff) = (shop.client.clone(), url.clone(), staff.clone());
        async move { client.post(&url).bearer(&staff).multipart(form).await }
    };

    let text = send(MultipartForm::new().file("image", "notes.txt", "text/plain", "hello")).await;
    assert_eq!(text.status(), 422);
    let body: Value = text.json();
    assert_eq!(locations(&body), ["body.image"]);
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("PNG, JPEG"), "{body}");

    let disguised = send(MultipartForm::new().file(
        "image",
        "x.png",
        "image/png",
        b"<script>alert(1)</script>",
    ))
    .await;
    assert_eq!(disguised.status(), 422);
    assert!(disguised.text().contains("not a image/png image"), "{}", disguised.text());

    let mut huge = png();
    huge.resize(showcase::api::MAX_IMAGE_BYTES + 1, 0);
    let too_large = send(MultipartForm::new().file("image", "big.png", "image/png", huge)).await;
    assert_eq!(too_large.status(), 413);
    assert!(too_large.json::<Value>()["detail"].as_str().unwrap().contains("\"image\""));

    let missing = send(MultipartForm::new().text("picture", "x")).await;
    assert_eq!(missing.status(), 422);
    assert_eq!(locations(&missing.json()), ["body.image"]);

    let not_multipart = shop.client.post(&url).bearer(&staff).json(&json!({"image": "x"})).await;
    assert_eq!(not_multipart.status(), 415);
    assert!(!shop.media.path().join("products").exists(), "nothing was stored");
}

#[tokio::test]
async fn logged_in_users_review_with_a_rating_from_1_to_5() {
    let shop = shop().await;
    let id = shop.product_id("Bread Book").await;
    let url = format!("/api/products/{id}/reviews");
    let review = json!({"rating": 4, "body": "Great loaves."});
    assert_eq!(shop.client.post(&url).json(&review).await.status(), 401);

    let cara = shop.token("cara").await;
    let created = shop.client.post(&url).bearer(&cara).json(&review).await;
    assert_eq!(created.status(), 201, "{}", created.text());
    let created: Value = created.json();
    assert_eq!((created["author"].clone(), created["rating"].clone()), (json!("cara"), json!(4)));

    for (bad, field) in [
        (json!({"rating": 6, "body": "x"}), "body.rating"),
        (json!({"rating": 0, "body": "x"}), "body.rating"),
        (json!({"rating": 5, "body": ""}), "body.body"),
        (json!({"rating": "five", "body": "x"}), "body.rating"),
    ] {
        let response = shop.client.post(&url).bearer(&cara).json(&bad).await;
        assert_eq!(response.status(), 422, "{bad}");
        assert_eq!(locations(&response.json()), [field], "{bad}");
    }
    let missing = shop.client.post("/api/products/9999/reviews").bearer(&cara).json(&review).await;
    assert_eq!(missing.status(), 404);

    let sam = shop.token("sam").await;
    let second = json!({"rating": 1, "body": "Burnt mine."});
    assert_eq!(shop.client.post(&url).bearer(&sam).json(&second).await.status(), 201);
    let listed: Value = shop.client.get(&url).await.json();
    let authors: Vec<&str> =
        listed.as_array().unwrap().iter().map(|r| r["author"].as_str().unwrap()).collect();
    assert_eq!(authors, ["sam", "cara"], "newest first");
    let product: Value = shop.client.get(&format!("/api/products/{id}")).await.json();
    assert_eq!(
        (product["rating"].as_f64(), product["review_count"].as_u64()),
        (Some(2.5), Some(2))
    );
}

#[tokio::test]
async fn categories_and_tags_are_listed() {
    let shop = shop().await;
    let categories: Value = shop.client.get("/api/categories").await.json();
    assert_eq!(
        categories,
        json!([
            {"id": 2, "name": "Books", "slug": "books", "description": "All about Books", "product_count": 2},
            {"id": 1, "name": "Kitchen", "slug": "kitchen", "description": "All about Kitchen", "product_count": 3},
        ])
    );
    let tags: Value = shop.client.get("/api/tags").await.json();
    assert_eq!(
        tags,
        json!([{"id": 2, "name": "Eco", "slug": "eco"}, {"id": 1, "name": "Gift", "slug": "gift"}])
    );
}

#[tokio::test]
async fn the_openapi_document_is_stable_and_lists_the_api_only() {
    let shop = common::empty_shop().await;
    let doc: Value = shop.client.get("/openapi.json").await.json();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert!(paths.iter().all(|p| p.starts_with("/api/") || p.starts_with("/auth/")), "{paths:?}");
    assert_eq!(
        doc["paths"]["/api/products"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "ordering")
            .map(|p| p["schema"].clone()),
        Some(json!({"$ref": "#/components/schemas/Ordering"})),
        "the allowed orderings are in the document"
    );
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("openapi-showcase.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    insta::assert_json_snapshot!("showcase-openapi", doc);
}
