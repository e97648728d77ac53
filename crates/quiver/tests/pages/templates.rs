//! Rendering: autoescaping, overrides from a folder, the names every template gets, CSRF.

use super::*;

#[tokio::test]
async fn data_is_escaped_but_the_csrf_field_is_markup() {
    let client = shop(false);
    let page = client.get("/").await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.content_type(), Some("text/html; charset=utf-8"));
    let html = page.text();
    assert!(
        html.contains("<li>&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;&#x2f;script&gt;</li>"),
        "{html}"
    );
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("<li>Kettle &amp; cups</li>"), "{html}");
    assert!(html.contains("<h1>Our &lt;b&gt;best&lt;&#x2f;b&gt; products</h1>"), "{html}");
    assert!(html.contains("<footer>at &#x2f;</footer>"), "request.path: {html}");
    assert!(html.contains("Anonymous"), "no auth app: user is none: {html}");

    let form = client.get("/review").await.text();
    assert!(form.contains(r#"<input type="hidden" name="csrfmiddlewaretoken" value=""#), "{form}");
}

#[tokio::test]
async fn a_form_posts_with_the_field_from_the_page_and_is_refused_without_it() {
    let client = shop_with_auth().await;
    let form = client.get("/review").await.text();
    let token = csrf_from(&form);
    assert!(client.cookie("csrftoken").is_some(), "rendering a page sets the CSRF cookie");

    let forged = client.post("/reviews").form(&[("text", "great")]).await;
    assert_eq!(forged.status(), 403, "{}", forged.text());
    assert!(forged.text().contains("CSRF"), "{}", forged.text());

    let sent =
        client.post("/reviews").form(&[("csrfmiddlewaretoken", &*token), ("text", "great")]).await;
    assert_eq!(sent.status(), 303, "{}", sent.text());
    assert_eq!(sent.header("location"), Some("/"));
}

#[tokio::test]
async fn a_template_in_the_folder_overrides_the_embedded_one_and_debug_reads_it_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("shop")).unwrap();
    let home = dir.path().join("shop/home.html");
    std::fs::write(
        &home,
        "{% extends 'shop/base.html' %}{% block body %}Mine: {{ title }}{% endblock %}",
    )
    .unwrap();
    // A template only the folder has, and a file next to the folder.
    std::fs::write(dir.path().join("shop/extra.html"), "extra {{ 1 + 1 }}").unwrap();
    let outside = tempfile::NamedTempFile::new_in(dir.path().parent().unwrap()).unwrap();
    std::fs::write(outside.path(), "the password").unwrap();
    let outside_name = outside.path().file_name().unwrap().to_str().unwrap().to_owned();

    for debug in [true, false] {
        let app = App::new().pages(pages(debug, Some(dir.path()))).routes(shop_routes());
        let client = TestClient::new(app);
        let html = client.get("/").await.text();
        assert!(html.contains("Mine: Our &lt;b&gt;best"), "{html}");
        assert_eq!(client.get("/by-name?name=shop/extra.html").await.text(), "extra 2");
        let escape = client.get(&format!("/by-name?name=../{outside_name}")).await;
        assert_eq!(escape.status(), 500, "no such template");
        assert!(!escape.text().contains("password"));
        assert!(html.contains("Anonymous"), "the embedded base still applies: {html}");

        std::fs::write(&home, "Edited: {{ title }}").unwrap();
        let again = client.get("/").await.text();
        if debug {
            assert!(again.starts_with("Edited: "), "debug reads the file again: {again}");
        } else {
            assert!(again.contains("Mine: "), "without debug a template is read once: {again}");
        }
        std::fs::write(
            &home,
            "{% extends 'shop/base.html' %}{% block body %}Mine: {{ title }}{% endblock %}",
        )
        .unwrap();
    }
    assert!(
        Templates::new()
            .embedded(TEMPLATES)
            .dir(dir.path())
            .check()
            .unwrap_err()
            .contains("shop/broken.html")
    );
}

#[tokio::test]
async fn the_user_logged_in_through_the_session_is_in_every_template() {
    let client = shop_with_auth().await;
    assert!(client.get("/").await.text().contains("Anonymous"));
    login(&client, "ada").await;
    let html = client.get("/").await.text();
    assert!(html.contains("Signed in as ada"), "{html}");
}

#[tokio::test]
async fn static_urls_in_pages_carry_the_content_hash() {
    let client = shop(false);
    let html = client.get("/").await.text();
    let url = static_url(&html, "shop/site.css");
    let hash = url.split("?v=").nth(1).unwrap();
    assert_eq!(hash.len(), 16, "{url}");
    let css = client.get(&url).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.header("etag"), Some(&*format!("\"{hash}\"")));
}

#[tokio::test]
async fn a_missing_template_or_a_handler_without_pages_is_a_500() {
    let client = shop(false);
    assert_eq!(client.get("/broken").await.status(), 500);

    let without = TestClient::new(App::new().routes(shop_routes()));
    assert_eq!(without.get("/").await.status(), 500);
}

#[test]
fn page_routes_stay_out_of_the_openapi_document() {
    let app = App::new().pages(pages(true, None).media("media", "/media/")).routes(shop_routes());
    let doc = app.openapi();
    assert!(doc["paths"].as_object().unwrap().is_empty(), "{:#}", doc["paths"]);
}
