//! Static files (hashes, ETags, dates, 304s, no escaping the folder) and media files (debug only).

use super::*;

/// The hashed URL of the embedded stylesheet, as a page links it.
async fn css_url(client: &TestClient) -> String {
    static_url(&client.get("/").await.text(), "shop/site.css")
}

#[tokio::test]
async fn the_hashed_url_is_cached_for_a_year_with_an_etag_and_a_date() {
    let client = shop(false);
    let url = css_url(&client).await;
    let css = client.get(&url).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.text(), "body { color: #222 }");
    assert_eq!(css.content_type(), Some("text/css; charset=utf-8"));
    assert_eq!(css.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert_eq!(css.header("x-content-type-options"), Some("nosniff"));
    let etag = css.header("etag").unwrap().to_owned();
    let last_modified = css.header("last-modified").unwrap().to_owned();
    assert!(last_modified.ends_with(" GMT"), "{last_modified}");

    let revalidated = client.get(&url).header("if-none-match", &etag).await;
    assert_eq!(revalidated.status(), 304);
    assert!(revalidated.bytes().is_empty());
    assert_eq!(revalidated.header("etag"), Some(&*etag));

    let by_date = client.get(&url).header("if-modified-since", &last_modified).await;
    assert_eq!(by_date.status(), 304);

    let stale = client.get(&url).header("if-none-match", "\"0123456789abcdef\"").await;
    assert_eq!(stale.status(), 200, "another ETag is another version");

    let head = client.head(&url).await;
    assert_eq!(head.status(), 200);
    assert!(head.bytes().is_empty());
    assert_eq!(head.header("etag"), Some(&*etag));
}

#[tokio::test]
async fn without_the_current_hash_the_file_is_cached_briefly() {
    let client = shop(false);
    for url in ["/static/shop/site.css", "/static/shop/site.css?v=0000000000000000"] {
        let css = client.get(url).await;
        assert_eq!(css.status(), 200);
        assert_eq!(
            css.header("cache-control"),
            Some("public, max-age=60, must-revalidate"),
            "{url}"
        );
        assert!(css.header("etag").is_some());
    }
    let svg = client.get("/static/shop/logo.svg").await;
    assert_eq!(svg.content_type(), Some("image/svg+xml; charset=utf-8"));
}

#[tokio::test]
async fn unknown_files_and_paths_out_of_the_folder_are_404() {
    let root = tempfile::tempdir().unwrap();
    let folder = root.path().join("static");
    std::fs::create_dir_all(folder.join("shop")).unwrap();
    std::fs::write(folder.join("shop/site.css"), "body { color: red }").unwrap();
    std::fs::write(root.path().join("secret.txt"), "the password").unwrap();

    let pages = pages(false, None).static_files(StaticFiles::dir(&folder));
    let client = TestClient::new(App::new().pages(pages).routes(shop_routes()));

    // The folder's file overrides the embedded one, with its own hash.
    let css_url = static_url(&client.get("/").await.text(), "shop/site.css");
    assert_eq!(client.get(&css_url).await.text(), "body { color: red }");
    assert_eq!(
        client.get(&css_url).await.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // The embedded files are still there.
    assert_eq!(client.get("/static/shop/logo.svg").await.status(), 200);

    for path in [
        "/static/nothing.css",
        "/static/shop",
        "/static/../secret.txt",
        "/static/shop/../../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/shop/..%5c..%5csecret.txt",
        "/static/%2fetc%2fpasswd",
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status(), 404, "{path}: {}", response.text());
        assert!(!response.text().contains("the password"), "{path}");
    }
}

#[tokio::test]
async fn a_changed_file_in_the_folder_gets_a_new_hash() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("app.js"), "console.log(1)").unwrap();
    let pages = pages(false, None).static_files(StaticFiles::dir(folder.path()));
    let client = TestClient::new(App::new().pages(pages));

    let first = client.get("/static/app.js").await;
    assert!(first.content_type().unwrap().contains("javascript"), "{:?}", first.content_type());
    std::fs::write(folder.path().join("app.js"), "console.log(22)").unwrap();
    let second = client.get("/static/app.js").await;
    assert_eq!(second.text(), "console.log(22)");
    assert_ne!(first.header("etag"), second.header("etag"));
}

#[tokio::test]
async fn media_is_served_in_debug_only_and_never_out_of_its_folder() {
    let root = tempfile::tempdir().unwrap();
    let media = root.path().join("media");
    std::fs::create_dir_all(media.join("avatars")).unwrap();
    std::fs::write(media.join("avatars/ada.png"), b"\x89PNG fake").unwrap();
    std::fs::write(root.path().join("secret.txt"), "the password").unwrap();

    let debug = TestClient::new(App::new().pages(pages(true, None).media(&media, "/media/")));
    let avatar = debug.get("/media/avatars/ada.png").await;
    assert_eq!(avatar.status(), 200);
    assert_eq!(avatar.bytes().as_ref(), b"\x89PNG fake");
    assert_eq!(avatar.content_type(), Some("image/png"));
    for path in [
        "/media/avatars/bob.png",
        "/media/../secret.txt",
        "/media/%2e%2e/secret.txt",
        "/media/avatars",
    ] {
        let response = debug.get(path).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(!response.text().contains("the password"), "{path}");
    }

    let production = TestClient::new(App::new().pages(pages(false, None).media(&media, "/media/")));
    assert_eq!(production.get("/media/avatars/ada.png").await.status(), 404);
}
