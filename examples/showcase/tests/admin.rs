//! The admin for the shop's models: staff log in, the models are listed, the review form
//! applies the model's own rules, and the bulk action marks products sold out.

mod common;

use common::{PASSWORD, Shop, shop};
use quiver::prelude::*;
use quiver::testing::TestResponse;
use showcase::models::{Product, Review};

/// The CSRF token of the first form of `html`.
fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrfmiddlewaretoken" value=""#;
    let start = html.find(marker).expect("a form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Posts `fields` to the form at `url`, with the page's CSRF token.
async fn submit(shop: &Shop, url: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = csrf_token(&shop.client.get(url).await.text());
    let mut form = vec![("csrfmiddlewaretoken", token.as_str())];
    form.extend_from_slice(fields);
    shop.client.post(url).form(&form).await
}

/// The shop, with superuser `root` logged in to the admin.
async fn as_root() -> Shop {
    let shop = shop().await;
    let auth = shop.ctx.auth.as_ref().unwrap();
    auth.create_superuser("root", "root@example.com", PASSWORD).await.unwrap();
    let login =
        submit(&shop, "/admin/login/", &[("username", "root"), ("password", PASSWORD)]).await;
    assert_eq!(login.status(), 302, "{}", login.text());
    shop
}

fn html(response: &TestResponse) -> String {
    response.text().replace("&#x2f;", "/")
}

#[tokio::test]
async fn every_model_of_the_shop_is_in_the_admin() {
    let shop = as_root().await;
    let index = html(&shop.client.get("/admin/").await);
    for model in ["category", "tag", "product", "review"] {
        assert!(index.contains(&format!("/admin/shop/{model}/")), "{model} in the index");
    }
    let products = html(&shop.client.get("/admin/shop/product/?q=mug").await);
    assert!(products.contains("Blue Mug") && products.contains("Red Mug"));
    assert!(!products.contains("Bread Book"), "the search");
}

#[tokio::test]
async fn the_review_form_applies_the_models_rules() {
    let shop = as_root().await;
    let product = shop.product_id("Bread Book").await.to_string();
    let author = common::user(&shop, "cara").await.id.value().to_string();
    let fields = |rating| {
        [
            ("product", product.as_str()),
            ("author", author.as_str()),
            ("rating", rating),
            ("body", "Rated by hand."),
            ("_save", "1"),
        ]
    };
    let url = "/admin/shop/review/add/";
    let refused = submit(&shop, url, &fields("9")).await;
    assert_eq!(refused.status(), 422, "the form again, with the problem");
    assert!(html(&refused).contains("field-rating errors"), "{}", html(&refused));
    assert_eq!(Review::objects().count(shop.db()).await.unwrap(), 0);

    let saved = submit(&shop, url, &fields("4")).await;
    assert_eq!(saved.status(), 302, "{}", html(&saved));
    assert_eq!(Review::objects().count(shop.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn the_bulk_action_marks_products_sold_out() {
    let shop = as_root().await;
    let ids = [shop.product_id("Blue Mug").await, shop.product_id("Bread Book").await];
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut fields = vec![("action", "mark_sold_out")];
    fields.extend(ids.iter().map(|id| ("_selected_action", id.as_str())));
    let confirm = submit(&shop, "/admin/shop/product/", &fields).await;
    assert_eq!(confirm.status(), 200, "a confirmation step first");
    fields.push(("post", "yes"));
    let done = submit(&shop, "/admin/shop/product/", &fields).await;
    assert_eq!(done.status(), 302);
    let sold_out = Product::objects().filter(Product::STOCK.eq(0)).count(shop.db()).await.unwrap();
    assert_eq!(sold_out, 3, "the Red Mug was already");
    let list = html(&shop.client.get("/admin/shop/product/").await);
    assert!(list.contains("2 products marked as sold out."));
}
