//! The server-rendered shop as a browser sees it: the product list with search and category
//! links, a product's page with its reviews, logging in, posting a review with the session and
//! the CSRF token (and the flash message shown once), and the refusals.

mod common;

use common::{PASSWORD, Shop, shop, user};
use quiver::deps::chrono::Utc;
use quiver::prelude::*;
use showcase::models::{Product, Review};

/// The page's HTML as a browser reads it: minijinja's autoescape writes `/` as `&#x2f;`
/// (in `href`s too, where it means the same).
async fn browse(shop: &Shop, url: &str) -> String {
    shop.client.get(url).await.text().replace("&#x2f;", "/")
}

/// The CSRF token of the first form of `html`.
fn csrf_token(html: &str) -> String {
    let marker = r#"name="csrfmiddlewaretoken" value=""#;
    let start =
        html.find(marker).unwrap_or_else(|| panic!("no CSRF field in {html}")) + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Logs `username` in through the login form, as a browser does.
async fn log_in(shop: &Shop, username: &str, next: &str) -> quiver::testing::TestResponse {
    let form = browse(shop, "/accounts/login/").await;
    let token = csrf_token(&form);
    shop.client
        .post("/accounts/login/")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", next),
        ])
        .await
}

async fn review(shop: &Shop, product: &str, author: &str, rating: i16, body: &str) {
    let product =
        Product::objects().filter(Product::NAME.eq(product)).get(shop.db()).await.unwrap();
    let mut review = Review {
        id: Auto::new(),
        product: ForeignKey::new(product.id.value()),
        author: ForeignKey::new(user(shop, author).await.id.value()),
        rating,
        body: body.into(),
        created_at: Utc::now(),
    };
    review.insert(shop.db()).await.unwrap();
}

#[tokio::test]
async fn the_home_page_lists_products_with_search_and_category_links() {
    let shop = shop().await;
    let home = shop.client.get("/").await;
    assert_eq!(home.status(), 200);
    assert_eq!(home.content_type(), Some("text/html; charset=utf-8"));
    let html = home.text().replace("&#x2f;", "/");
    for name in ["Blue Mug", "Red Mug", "Cast Iron Pan", "Bread Book", "Night Sky Atlas"] {
        assert!(html.contains(name), "{name} is listed");
    }
    assert!(html.contains("5 products"));
    assert!(html.contains(r#"href="/?category=kitchen""#), "category links");
    assert!(html.contains(r#"href="/products/blue-mug""#), "product links");
    assert!(html.contains("€14.50") && html.contains("Sold out"), "prices and stock");

    let search = browse(&shop, "/?q=mug").await;
    assert!(search.contains("Blue Mug") && search.contains("Red Mug"));
    assert!(!search.contains("Bread Book"));
    assert!(search.contains(r#"value="mug""#), "the search box keeps the words");
    assert!(search.contains(r#"href="/?q=mug&amp;category=books""#), "categories keep the search");

    let books = browse(&shop, "/?category=books&ordering=-price").await;
    let (atlas, bread) =
        (books.find("Night Sky Atlas").unwrap(), books.find("Bread Book").unwrap());
    assert!(atlas < bread, "dearest first");
    assert!(!books.contains("Blue Mug"));
    assert!(books.contains("All about Books"), "the category's description");

    let tagged = browse(&shop, "/?tag=eco").await;
    assert!(tagged.contains("Tagged “Eco”") && tagged.contains("Red Mug"));
    assert!(!tagged.contains("Blue Mug"));

    let lenient = shop.client.get("/?ordering=popularity&page=x&in_stock=maybe").await;
    assert_eq!(lenient.status(), 200, "a hand-edited URL shows the defaults, not an error");

    let escaped = browse(&shop, "/?q=%3Cscript%3E").await;
    assert!(escaped.contains("&lt;script&gt;") && !escaped.contains("<script>"), "autoescaped");
}

#[tokio::test]
async fn the_stylesheet_is_served_with_a_content_hash_and_cached() {
    let shop = shop().await;
    let html = browse(&shop, "/").await;
    let start = html.find("/static/css/shop.css?v=").expect("the stylesheet is linked");
    let url = html[start..].split('"').next().unwrap().to_owned();
    let css = shop.client.get(&url).await;
    assert_eq!(css.status(), 200);
    assert!(css.content_type().unwrap().starts_with("text/css"));
    assert!(css.header("cache-control").unwrap().contains("immutable"));
    assert!(css.text().contains("prefers-color-scheme"));
}

#[tokio::test]
async fn a_product_page_shows_its_reviews_and_asks_anonymous_visitors_to_log_in() {
    let shop = shop().await;
    review(&shop, "Bread Book", "cara", 5, "My first loaf rose!").await;
    review(&shop, "Bread Book", "sam", 3, "Good, but <b>dense</b>.").await;
    let page = shop.client.get("/products/bread-book").await;
    assert_eq!(page.status(), 200);
    let html = page.text().replace("&#x2f;", "/");
    assert!(html.contains("<h1>Bread Book</h1>"));
    assert!(html.contains("My first loaf rose!") && html.contains("cara"));
    assert!(html.contains("Good, but &lt;b&gt;dense&lt;/b&gt;."), "reviews are escaped");
    assert!(html.contains("4.0 / 5 from 2 reviews"), "{html}");
    assert!(html.contains("Log in</a> to write a review"));
    assert!(!html.contains("<textarea"), "no form for anonymous visitors");

    let missing = shop.client.get("/products/no-such-thing").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.text().contains("This product is not in the shop"));
}

#[tokio::test]
async fn posting_a_review_redirects_and_flashes_a_thank_you_once() {
    let shop = shop().await;
    let login = log_in(&shop, "cara", "/products/bread-book").await;
    assert_eq!(login.status(), 303, "{}", login.text());
    assert_eq!(login.header("location"), Some("/products/bread-book"));

    let page = browse(&shop, "/products/bread-book").await;
    assert!(page.contains("Welcome back, cara."), "the login's own message");
    assert!(page.contains("<textarea"), "the form, for a logged-in user");
    let token = csrf_token(&page);
    let posted = shop
        .client
        .post("/products/bread-book/reviews")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("rating", "5"),
            ("body", "Lovely recipes."),
        ])
        .await;
    assert_eq!(posted.status(), 303, "{}", posted.text());
    assert_eq!(posted.header("location"), Some("/products/bread-book#main"));

    let after = browse(&shop, "/products/bread-book").await;
    assert!(after.contains("Thanks for your review of Bread Book!"));
    assert!(after.contains("Lovely recipes."));
    let again = browse(&shop, "/products/bread-book").await;
    assert!(!again.contains("Thanks for your review"), "a flash message is shown once");
    assert!(!again.contains("Welcome back"));
    assert_eq!(Review::objects().count(shop.db()).await.unwrap(), 1);
}

#[tokio::test]
async fn a_review_without_the_csrf_token_is_refused() {
    let shop = shop().await;
    log_in(&shop, "cara", "/").await;
    let forged = shop
        .client
        .post("/products/bread-book/reviews")
        .form(&[("rating", "1"), ("body", "Posted by another site.")])
        .await;
    assert_eq!(forged.status(), 403);
    let wrong = shop
        .client
        .post("/products/bread-book/reviews")
        .form(&[("csrfmiddlewaretoken", "x".repeat(64).as_str()), ("rating", "1"), ("body", "x")])
        .await;
    assert_eq!(wrong.status(), 403);
    assert_eq!(Review::objects().count(shop.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_bad_review_is_shown_again_with_its_problems() {
    let shop = shop().await;
    log_in(&shop, "cara", "/").await;
    let token = csrf_token(&browse(&shop, "/products/red-mug").await);
    let posted = shop
        .client
        .post("/products/red-mug/reviews")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("rating", "9"),
            ("body", "  Kept text  "),
        ])
        .await;
    assert_eq!(posted.status(), 422);
    let html = posted.text().replace("&#x2f;", "/");
    assert!(html.contains("Choose a rating from 1 to 5 stars."));
    assert!(html.contains(">Kept text</textarea>"), "what was typed is kept");
    assert_eq!(Review::objects().count(shop.db()).await.unwrap(), 0);
}

#[tokio::test]
async fn anonymous_reviewers_are_sent_to_the_login_page() {
    let shop = shop().await;
    let token = csrf_token(&browse(&shop, "/accounts/login/").await);
    let posted = shop
        .client
        .post("/products/red-mug/reviews")
        .form(&[("csrfmiddlewaretoken", token.as_str()), ("rating", "4"), ("body", "Nice")])
        .await;
    assert_eq!(posted.status(), 303);
    assert_eq!(posted.header("location"), Some("/accounts/login/?next=%2Fproducts%2Fred-mug"));
}

#[tokio::test]
async fn logging_in_and_out() {
    let shop = shop().await;
    let form = browse(&shop, "/accounts/login/?next=/products/red-mug").await;
    assert!(form.contains(r#"name="next" value="/products/red-mug""#));
    let token = csrf_token(&form);
    let wrong = shop
        .client
        .post("/accounts/login/")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("username", "cara"),
            ("password", "nope"),
        ])
        .await;
    assert_eq!(wrong.status(), 200);
    assert!(wrong.text().contains("Wrong username or password."));
    assert!(wrong.text().contains(r#"value="cara""#), "the username is kept");

    let elsewhere = log_in(&shop, "cara", "https://evil.example/").await;
    assert_eq!(elsewhere.header("location"), Some("/"), "never off the site");
    let home = browse(&shop, "/").await;
    assert!(home.contains("Hi, cara"));
    assert!(!home.contains(r#"class="staff""#), "customers get no admin link");

    let token = csrf_token(&home);
    let out = shop
        .client
        .post("/accounts/logout/")
        .form(&[("csrfmiddlewaretoken", token.as_str())])
        .await;
    assert_eq!(out.status(), 303);
    let home = browse(&shop, "/").await;
    assert!(!home.contains("Hi, cara"));
    assert!(home.contains(">Log in</a>"));
}

#[tokio::test]
async fn the_seed_fills_an_empty_shop() {
    let shop = common::empty_shop().await;
    showcase::seed(shop.ctx.clone()).await.unwrap();
    assert_eq!(Product::objects().count(shop.db()).await.unwrap(), 40);
    let reviews = Review::objects().count(shop.db()).await.unwrap();
    assert!((40..=80).contains(&reviews), "{reviews} reviews");
    let admin = user(&shop, "admin").await;
    assert!(admin.is_superuser && admin.is_staff);

    let home = browse(&shop, "/").await;
    assert!(home.contains("40 products"), "{home}");
    assert!(home.contains("Page 1 of 4"));
    let page_two = browse(&shop, "/?page=2").await;
    assert!(page_two.contains(r#"rel="prev""#) && page_two.contains("Page 2 of 4"));
    let staff = log_in(&shop, "admin", "/").await;
    assert_eq!(staff.status(), 200, "the admin's password is random: this login fails");
    let admin_page = shop.client.get("/admin/").await;
    assert_eq!(admin_page.status(), 302, "the admin asks for a login");
}
