//! The shop in a real headless Chromium (Debian's `chromium` and `chromium-driver`), the way a
//! shopper uses it: browse the demo catalogue, search it, pick a category, open a product, log
//! in from its page, post a review (the flash message shows once), get an invalid one pointed
//! out with what was typed kept, and log out. Also: Swagger UI at `/docs` lists the API from
//! the binary's own assets, and the home page does not scroll sideways on a phone.
//! Screenshots go to `target/showcase-screenshots/`. Without chromedriver the test says so and
//! passes; CI installs the browser.

#[path = "../../../crates/quiver/tests/support/browser.rs"]
mod browser_support;

use std::sync::Arc;

use browser_support::{
    browser, chromedriver_or_skip, click, fill, find, screenshot, serve, text_of, texts_of,
    value_of, wait_for,
};
use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use quiver::auth::password::PasswordHasher;
use quiver::prelude::*;
use quiver::settings::Settings;
use showcase::Media;
use showcase::models::Review;

/// The shopper this test creates (the seed's customer has a random password).
const USERNAME: &str = "shopper";
const PASSWORD: &str = "window-shopping-42";

#[tokio::test(flavor = "multi_thread")]
async fn a_shopper_browses_logs_in_and_reviews_in_a_browser() {
    let Some((_driver, driver_port)) = chromedriver_or_skip() else { return };
    // A file, not `:memory:`: the server's pool and the test share the rows.
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}?mode=rwc", dir.path().join("shop.db").display()))
        .await
        .unwrap();
    showcase::migrate(&db).await.unwrap();
    // The dev profile, without quiver.toml or QUIVER_* variables from the environment.
    let settings = Settings::builder().toml("").profile("dev").without_env().load().unwrap();
    // A cheap hash: seeding makes five users.
    let auth = Auth::new(&db, "browser-secret-browser-secret-browser!")
        .hasher(PasswordHasher::argon2id(8 * 1024, 1, 1));
    let ctx = ProjectContext { db: db.clone(), settings: Arc::new(settings), auth: Some(auth) };
    showcase::seed(ctx.clone()).await.unwrap();
    let auth = ctx.auth.as_ref().unwrap();
    let shopper = auth.create_user(USERNAME, "shopper@example.com", PASSWORD).await.unwrap();
    let app = showcase::app_with_media(&ctx, Media::new(dir.path().join("media")));
    let (base, stop) = serve(app).await;
    let url = |path: &str| format!("{base}{path}");

    let client = browser(driver_port).await;
    let result = async {
        // 1. The home page: the first page of the demo's forty products, and the shelves.
        client.goto(&url("/")).await?;
        wait_for(&client, ".grid .card").await?;
        assert_eq!(text_of(&client, ".intro h1").await?, "Good things, simply sold");
        assert_eq!(text_of(&client, ".toolbar .found").await?, "40 products");
        assert_eq!(texts_of(&client, ".grid .card h3").await?.len(), 12, "a page of twelve");
        assert_eq!(text_of(&client, ".pager span").await?, "Page 1 of 4");
        assert_eq!(
            texts_of(&client, ".shelves a").await?,
            ["All", "Books 10", "Kitchen 10", "Outdoors 10", "Stationery 10"]
        );
        assert_eq!(text_of(&client, ".shelves a[aria-current='page']").await?, "All");
        assert_eq!(text_of(&client, ".account a").await?, "Log in");
        save_screenshot(&client, "home.png").await?;

        // 2. Search by a word of a name: the list narrows, the box keeps the word.
        fill(&client, "#q", "mug").await?;
        click(&client, ".search button[type=submit]").await?;
        wait_for(&client, "#q[value='mug']").await?; // the attribute: a new page
        assert_eq!(client.current_url().await?.query(), Some("q=mug"));
        assert_eq!(text_of(&client, ".intro h1").await?, "Results for “mug”");
        assert_eq!(text_of(&client, ".toolbar .found").await?, "2 products");
        assert_eq!(
            texts_of(&client, ".grid .card h3").await?,
            ["Enamel Camp Mug", "Stoneware Mug"]
        );
        assert!(client.find_all(Locator::Css(".pager")).await?.is_empty());

        // 3. A category: the search is kept, so only the kitchen's mug is left.
        client
            .find(Locator::XPath(
                "//nav[@class='shelves']/a[starts-with(normalize-space(), 'Kitchen')]",
            ))
            .await?
            .click()
            .await?;
        wait_for(&client, ".shelves a[aria-current='page'][href*='category=kitchen']").await?;
        assert_eq!(text_of(&client, ".intro h1").await?, "Kitchen");
        assert_eq!(value_of(&client, "#q").await?, "mug");
        assert_eq!(text_of(&client, ".toolbar .found").await?, "1 product");
        assert_eq!(texts_of(&client, ".grid .card h3").await?, ["Stoneware Mug"]);
        assert_eq!(text_of(&client, ".grid .card .meta").await?, "Kitchen");

        // 4. The product's page: anonymous visitors are asked to log in to review.
        click(&client, ".grid .card a.card-link").await?;
        wait_for(&client, "article.product h1").await?;
        assert_eq!(client.current_url().await?.path(), "/products/stoneware-mug");
        assert_eq!(text_of(&client, "article.product h1").await?, "Stoneware Mug");
        assert_eq!(text_of(&client, ".product .price").await?, "€16.00");
        assert!(text_of(&client, ".product .description").await?.starts_with("Hand-glazed"));
        assert_eq!(text_of(&client, "nav.crumbs").await?, "Shop / Kitchen");
        assert_eq!(text_of(&client, ".reviews .login-hint").await?, "Log in to write a review.");
        assert!(client.find_all(Locator::Css("form.review-form")).await?.is_empty());
        let reviews_before = texts_of(&client, ".reviews article.review").await?.len();

        // 5. Log in from there, and land back on the product.
        click(&client, ".reviews .login-hint a").await?;
        wait_for(&client, "form.stacked #password").await?;
        let login = client.current_url().await?;
        assert_eq!(login.path(), "/accounts/login/");
        assert_eq!(value_of(&client, "input[name=next]").await?, "/products/stoneware-mug");
        fill(&client, "#username", USERNAME).await?;
        fill(&client, "#password", "not-the-password").await?;
        click(&client, "form.stacked button[type=submit]").await?;
        let error = wait_for(&client, ".narrow p.message.error").await?;
        assert_eq!(
            error.text().await?.trim(),
            "Wrong username or password. Both are case-sensitive."
        );
        assert_eq!(value_of(&client, "#username").await?, USERNAME, "the username is kept");
        fill(&client, "#password", PASSWORD).await?;
        save_screenshot(&client, "login.png").await?;
        click(&client, "form.stacked button[type=submit]").await?;
        wait_for(&client, "form.review-form").await?;
        let back = client.current_url().await?;
        assert_eq!((back.path(), back.fragment()), ("/products/stoneware-mug", None));
        assert_eq!(
            texts_of(&client, "main p.message.success").await?,
            [format!("Welcome back, {USERNAME}.")]
        );
        assert_eq!(text_of(&client, ".account .hello").await?, format!("Hi, {USERNAME}"));

        // 6. A review through the form: a thank-you, and the review on top of the list.
        let body = "Holds a proper amount of tea and keeps it warm.";
        click(&client, ".review-form input[name=rating][value='4']").await?;
        fill(&client, "#body", body).await?;
        click(&client, ".review-form button[type=submit]").await?;
        let thanks = "//main/p[contains(@class, 'message')][contains(., 'Thanks for your review')]";
        let message = client.wait().for_element(Locator::XPath(thanks)).await?;
        assert_eq!(message.text().await?.trim(), "Thanks for your review of Stoneware Mug!");
        // On screen, not above a scrolled-to anchor.
        let top = client
            .execute(
                "return document.querySelector('main p.message').getBoundingClientRect().top",
                vec![],
            )
            .await?;
        let top = top.as_f64().unwrap_or(-1.0);
        assert!((-1.0..800.0).contains(&top), "the thank-you is in view (top {top})");
        assert_eq!(client.current_url().await?.path(), "/products/stoneware-mug");
        let reviews = texts_of(&client, ".reviews article.review").await?;
        assert_eq!(reviews.len(), reviews_before + 1, "{reviews:?}");
        assert_eq!(text_of(&client, ".reviews article.review .rating").await?, "★★★★☆");
        let newest = &reviews[0];
        assert!(newest.contains(body) && newest.contains(USERNAME), "{newest}");
        assert_eq!(value_of(&client, "#body").await?, "", "a fresh form");
        let saved = Review::objects()
            .filter(Review::AUTHOR.eq(shopper.id.value()))
            .get(&db)
            .await
            .expect("the review is saved");
        assert_eq!((saved.rating, saved.body.as_str()), (4, body));
        save_screenshot(&client, "product.png").await?;

        // The flash message shows once: a reload has the review, not the thank-you.
        client.refresh().await?;
        wait_for(&client, "form.review-form").await?;
        assert!(texts_of(&client, "main p.message").await?.is_empty());
        assert_eq!(texts_of(&client, ".reviews article.review").await?.len(), reviews_before + 1);

        // 7. Invalid reviews: the problem next to its field, what was typed kept.
        let typed = "Lovely glaze, but I forgot to pick the stars.";
        fill(&client, "#body", typed).await?;
        click(&client, ".review-form button[type=submit]").await?;
        let error = wait_for(&client, ".review-form #rating-error").await?;
        assert_eq!(error.text().await?.trim(), "Choose a rating from 1 to 5 stars.");
        // The answer opens at the form, not at the top of a long page with nothing wrong in view.
        assert_eq!(client.current_url().await?.fragment(), Some("write-review"));
        assert!(in_view(&client, "#rating-error").await?, "the error is on screen");
        let stars = find(&client, ".review-form fieldset.stars-input").await?;
        assert_eq!(stars.attr("aria-invalid").await?.as_deref(), Some("true"));
        // The message comes right after the stars it is about.
        let next = find(&client, "fieldset.stars-input + p.field-error").await?;
        assert_eq!(next.attr("id").await?.as_deref(), Some("rating-error"));
        assert_eq!(value_of(&client, "#body").await?, typed);
        assert!(client.find_all(Locator::Css("#body-error")).await?.is_empty());
        assert!(texts_of(&client, "main p.message").await?.is_empty(), "no thank-you");
        save_screenshot(&client, "review-errors.png").await?;

        click(&client, ".review-form input[name=rating][value='2']").await?;
        find(&client, "#body").await?.clear().await?;
        click(&client, ".review-form button[type=submit]").await?;
        let error = wait_for(&client, ".review-form #body-error").await?;
        assert_eq!(error.text().await?.trim(), "Write a few words about it.");
        assert!(in_view(&client, "#body-error").await?, "the error is on screen");
        let body_field = find(&client, "#body").await?;
        assert_eq!(body_field.attr("aria-invalid").await?.as_deref(), Some("true"));
        let next = find(&client, "#body + p.field-error").await?;
        assert_eq!(next.attr("id").await?.as_deref(), Some("body-error"));
        let checked = find(&client, ".review-form input[name=rating]:checked").await?;
        assert_eq!(checked.attr("value").await?.as_deref(), Some("2"), "the rating is kept");
        assert!(client.find_all(Locator::Css("#rating-error")).await?.is_empty());
        let mine = Review::objects().filter(Review::AUTHOR.eq(shopper.id.value())).count(&db).await;
        assert_eq!(mine.unwrap(), 1, "neither invalid review was saved");

        // 8. Log out: back on the shop, anonymous again.
        click(&client, ".account form button").await?;
        wait_for(&client, ".account a[href^='/accounts/login/']").await?;
        assert_eq!(client.current_url().await?.path(), "/");
        assert!(client.find_all(Locator::Css(".account .hello")).await?.is_empty());
        client.goto(&url("/products/stoneware-mug")).await?;
        wait_for(&client, ".reviews .login-hint").await?;

        // 9. The API docs: Swagger UI from the binary (no CDN) lists the operations.
        client.goto(&url("/docs")).await?;
        wait_for(&client, "#operations-products-list_products").await?;
        let paths = texts_of(&client, ".opblock-summary-path").await?;
        for path in ["/api/products", "/api/products/{id}", "/api/products/{id}/reviews"] {
            assert!(paths.iter().any(|p| p == path), "{path} in {paths:?}");
        }
        let local = client
            .execute(
                "return [...document.querySelectorAll('script[src], link[href]')]
                     .every(e => (e.src || e.href).startsWith(location.origin + '/'));",
                vec![],
            )
            .await?;
        assert_eq!(local, serde_json::json!(true), "every script and stylesheet is the app's");
        save_screenshot(&client, "docs.png").await?;

        // 10. On a phone the home page folds to one column and never scrolls sideways.
        client.set_window_size(390, 844).await?;
        client.goto(&url("/")).await?;
        wait_for(&client, ".grid .card").await?;
        let width = client.execute("return window.innerWidth;", vec![]).await?;
        assert!(width.as_u64().is_some_and(|w| w <= 390), "a phone-sized window: {width}");
        let fits = client
            .execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![])
            .await?;
        assert_eq!(fits, serde_json::json!(true), "the home page never scrolls sideways");
        save_screenshot(&client, "home-phone.png").await?;
        client.set_window_size(1280, 1000).await?;
        Ok::<_, CmdError>(())
    }
    .await;
    client.close().await.ok();
    stop.shutdown();
    result.expect("a shopper gets through the shop in Chromium");
}

/// Whether the element `css` is inside the window without scrolling.
async fn in_view(client: &Client, css: &str) -> Result<bool, CmdError> {
    let script = "const box = document.querySelector(arguments[0]).getBoundingClientRect();
                  return box.top >= 0 && box.bottom <= window.innerHeight;";
    let shown = client.execute(script, vec![css.into()]).await?;
    Ok(shown == serde_json::json!(true))
}

/// Writes a PNG of the current page under `target/showcase-screenshots/`.
async fn save_screenshot(client: &Client, name: &str) -> Result<(), CmdError> {
    screenshot(client, "showcase-screenshots", name).await
}
