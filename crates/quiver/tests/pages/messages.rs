//! Flash messages: kept in the session, shown once.

use super::*;

/// Posts a review through the form, as a browser does.
async fn post_review(client: &TestClient, text: &str) {
    let token = csrf_from(&client.get("/review").await.text());
    let sent =
        client.post("/reviews").form(&[("csrfmiddlewaretoken", &*token), ("text", text)]).await;
    assert_eq!(sent.status(), 303, "{}", sent.text());
}

#[tokio::test]
async fn a_message_shows_on_the_next_page_once_escaped_then_is_gone() {
    let client = shop_with_auth().await;
    post_review(&client, "<b>lovely</b>").await;

    let next = client.get("/").await.text();
    assert!(
        next.contains(
            r#"<p class="message success">Thanks for &lt;&lt;b&gt;lovely&lt;&#x2f;b&gt;&gt;</p>"#
        ),
        "{next}"
    );
    assert!(
        next.contains(r#"<p class="message warning">Reviews show after moderation</p>"#),
        "{next}"
    );

    let after = client.get("/").await.text();
    assert!(!after.contains("class=\"message"), "shown once: {after}");
}

#[tokio::test]
async fn messages_follow_a_logged_in_user_and_wait_for_a_page_that_lists_them() {
    let client = shop_with_auth().await;
    login(&client, "ada").await;
    post_review(&client, "fine").await;

    // A page that only counts them leaves them waiting.
    assert_eq!(client.get("/quiet").await.text(), "2 waiting");
    assert_eq!(client.get("/quiet").await.text(), "2 waiting");

    let page = client.get("/").await.text();
    assert!(page.contains("Signed in as ada"), "{page}");
    assert!(page.contains("Thanks for &lt;fine&gt;"), "{page}");
    assert_eq!(client.get("/quiet").await.text(), "");
}

#[tokio::test]
async fn a_message_added_after_logout_reaches_the_next_page_of_the_signed_out_visitor() {
    let client = shop_with_auth().await;
    login(&client, "ada").await;
    let before = client.cookie("sessionid").unwrap();
    let token = csrf_from(&client.get("/review").await.text());
    let out = client.post("/signout").form(&[("csrfmiddlewaretoken", &*token)]).await;
    assert_eq!(out.status(), 303, "{}", out.text());
    let after = client.cookie("sessionid").expect("the message needs a session");
    assert_ne!(before, after, "a new session, not the logged-in one");

    let page = client.get("/").await.text();
    assert!(page.contains("You are signed out"), "{page}");
    assert!(!page.contains("Signed in as ada"), "{page}");
    assert!(!client.get("/").await.text().contains("You are signed out"), "shown once");
}

#[tokio::test]
async fn messages_without_a_session_layer_are_a_500_that_names_app_auth() {
    // Debug on, so the browser sees why.
    let client = shop(true);
    let token = csrf_from(&client.get("/review").await.text());
    let refused = client
        .post("/reviews")
        .header("accept", "text/html")
        .form(&[("csrfmiddlewaretoken", &*token), ("text", "hi")])
        .await;
    assert_eq!(refused.status(), 500);
    assert!(refused.text().contains("App::auth"), "{}", refused.text());
}
