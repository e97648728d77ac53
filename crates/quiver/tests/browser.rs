//! The interactive API docs in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`): Swagger UI lists the operations and "Try it out" gets a real answer; ReDoc
//! renders. Screenshots go to `target/docs-screenshots/`. Without chromedriver the test says so
//! and passes, so `cargo test` works on a machine without a browser; CI installs one.

#[path = "support/browser.rs"]
mod support;

use fantoccini::{Client, Locator};
use quiver::prelude::*;
use support::{browser, chromedriver_or_skip, screenshot_dir, serve};

#[derive(Serialize, JsonSchema)]
struct Item {
    id: u32,
    name: String,
}

/// Read one item.
#[get("/items/{id}", tag = "items")]
async fn read_item(#[path] id: u32) -> Json<Item> {
    Json(Item { id, name: format!("item number {id}") })
}

/// Knows the caller by the bearer token `let-me-in`.
#[derive(Clone)]
struct Caller;

impl Dependency for Caller {
    async fn provide(
        parts: &mut quiver::deps::http::request::Parts,
        _: &AppContext,
    ) -> Result<Self> {
        match parts.headers.get("authorization").and_then(|v| v.to_str().ok()) {
            Some("Bearer let-me-in") => Ok(Caller),
            _ => Err(HttpError::unauthorized("Not authenticated").into()),
        }
    }

    fn describe(
        doc: &mut quiver::openapi::OperationDoc,
        _: &mut quiver::deps::schemars::SchemaGenerator,
    ) {
        doc.security("bearerAuth", quiver::openapi::SecurityScheme::bearer(None), &[]);
        doc.error_response(401, "Not authenticated");
    }
}

/// Who is calling.
#[get("/me")]
async fn me(Dep(_caller): Dep<Caller>) -> &'static str {
    "the caller"
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_tries_an_operation_and_redoc_renders() {
    let Some((_driver, driver_port)) = chromedriver_or_skip() else { return };
    let app = App::new().title("Browser test").routes(routes![read_item, me]);
    let (base, stop) = serve(app).await;

    let client = browser(driver_port).await;
    let result = async {
        client.goto(&format!("{base}/docs")).await?;
        let items = "#operations-items-read_item";
        client.wait().for_element(Locator::Css(items)).await?;
        let listed = client.find(Locator::Css(&format!("{items} .opblock-summary-path"))).await?;
        assert_eq!(listed.text().await?, "/items/{id}");
        save_screenshot(&client, "swagger-ui.png").await?;

        let (status, body) = try_it_out(&client, items, Some("42")).await?;
        assert_eq!(status, "200");
        assert!(body.contains("item number 42"), "{body}");
        save_screenshot(&client, "swagger-ui-try-it-out.png").await?;

        // Authorize with the app's bearer scheme, then call the protected operation.
        client.find(Locator::Css(".auth-wrapper .authorize")).await?.click().await?;
        client
            .wait()
            .for_element(Locator::Css(".modal-ux input"))
            .await?
            .send_keys("let-me-in")
            .await?;
        client.find(Locator::Css(".modal-ux .auth-btn-wrapper .authorize")).await?.click().await?;
        client.find(Locator::Css(".modal-ux .btn-done")).await?.click().await?;
        let (status, _) = try_it_out(&client, "#operations-default-me", None).await?;
        assert_eq!(status, "200", "the token was sent");

        client.goto(&format!("{base}/redoc")).await?;
        let heading = client.wait().for_element(Locator::Css("h1")).await?;
        assert!(heading.text().await?.contains("Browser test"));
        client
            .wait()
            .for_element(Locator::XPath("//*[contains(text(), 'Read one item.')]"))
            .await?;
        save_screenshot(&client, "redoc.png").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    stop.shutdown();
    result.expect("the docs pages work in Chromium");
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_authorizes_with_the_oauth2_password_flow() {
    let Some((_driver, driver_port)) = chromedriver_or_skip() else { return };
    let db = Db::connect("sqlite::memory:").await.unwrap();
    quiver::orm::schema::create_tables(&db, &quiver::auth::models()).await.unwrap();
    let auth = Auth::new(&db, [3u8; 32]).hasher(quiver::auth::password::PasswordHasher::argon2id(
        8 * 1024,
        1,
        1,
    ));
    auth.create_user("ada", "ada@example.com", "analytical-engine-1843").await.unwrap();
    let app = App::new().title("Auth in the browser").state(db).auth(auth);
    let (base, stop) = serve(app).await;

    let client = browser(driver_port).await;
    let result = async {
        client.goto(&format!("{base}/docs")).await?;
        let me = "#operations-auth-me";
        client.wait().for_element(Locator::Css(me)).await?;
        let (status, _) = try_it_out(&client, me, None).await?;
        assert_eq!(status, "401", "not logged in yet");

        // The "Authorize" dialog posts username and password to the token endpoint.
        client.find(Locator::Css(".auth-wrapper .authorize")).await?.click().await?;
        client.wait().for_element(Locator::Css("#oauth_username")).await?.send_keys("ada").await?;
        client.find(Locator::Css("#oauth_password")).await?.send_keys("analytical-engine-1843").await?;
        save_screenshot(&client, "swagger-ui-oauth2-login.png").await?;
        // The dialog lists the API key scheme first; the OAuth2 block is the last one.
        let buttons = client.find_all(Locator::Css(".modal-ux .auth-btn-wrapper .authorize")).await?;
        buttons.last().expect("an Authorize button per scheme").click().await?;
        client
            .wait()
            .for_element(Locator::XPath(
                "//*[contains(@class, 'modal-ux')]//button[contains(., 'Logout')]",
            ))
            .await?;
        client.find(Locator::Css(".modal-ux .btn-done")).await?.click().await?;

        client.find(Locator::Css(&format!("{me} .execute"))).await?.click().await?;
        let body = client
            .wait()
            .for_element(Locator::XPath(&format!(
                "//*[@id='{}']//tr[contains(@class, 'response')]//*[contains(@class, 'microlight')][contains(., 'ada@example.com')]",
                &me[1..]
            )))
            .await?
            .text()
            .await?;
        assert!(body.contains("\"username\": \"ada\""), "{body}");
        assert!(!body.contains("password"), "the hash never leaves: {body}");
        save_screenshot(&client, "swagger-ui-authorized.png").await?;
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    stop.shutdown();
    result.expect("Swagger UI logs in with the OAuth2 password flow");
}

/// Opens the operation `scope` in Swagger UI, fills its one parameter when given, executes it,
/// and returns the live response's status and body.
async fn try_it_out(
    client: &Client,
    scope: &str,
    parameter: Option<&str>,
) -> Result<(String, String), fantoccini::error::CmdError> {
    let css = |selector: &str| format!("{scope} {selector}");
    client.find(Locator::Css(&css(".opblock-summary"))).await?.click().await?;
    client.wait().for_element(Locator::Css(&css(".try-out__btn"))).await?.click().await?;
    if let Some(value) = parameter {
        client
            .wait()
            .for_element(Locator::Css(&css(".parameters input")))
            .await?
            .send_keys(value)
            .await?;
    }
    client.find(Locator::Css(&css(".execute"))).await?.click().await?;
    let status = client
        .wait()
        .for_element(Locator::Css(&css(".live-responses-table tr.response .response-col_status")))
        .await?;
    let status = status.text().await?.trim().to_owned();
    let body = client
        .find(Locator::Css(&css(".live-responses-table tr.response .microlight")))
        .await?
        .text()
        .await?;
    Ok((status, body))
}

/// Writes a PNG of the current page under `target/docs-screenshots/`.
async fn save_screenshot(client: &Client, name: &str) -> Result<(), fantoccini::error::CmdError> {
    let png = client.screenshot().await?;
    std::fs::write(screenshot_dir("docs-screenshots").join(name), png)
        .expect("the screenshot is written");
    Ok(())
}
