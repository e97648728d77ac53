//! Each admin guarantee through plain HTTP (no browser): login, permissions, the change list,
//! forms with errors, history, actions, deletes and their cascade.

use quiver::admin::{AdminSite, LogEntry};
use quiver::prelude::*;

use super::*;

async fn setup(n: usize) -> (Db, TestClient) {
    let db = database("sqlite::memory:").await;
    users(&db).await;
    content(&db, n).await;
    let client = TestClient::new(app(&db));
    (db, client)
}

async fn as_root(n: usize) -> (Db, TestClient) {
    let (db, client) = setup(n).await;
    assert_eq!(login(&client, "root").await, 302);
    (db, client)
}

/// The texts of the change list's first column (the object links).
fn titles(html: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"<th scope="row"[^>]*>\s*<a href="[^"]*">([^<]*)</a>"#).unwrap();
    re.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    let (_db, client) = setup(0).await;
    let response = client.get("/admin/blog/article/").await;
    assert_eq!(response.status(), 302);
    assert_eq!(
        response.header("location"),
        Some("/admin/login/?next=%2Fadmin%2Fblog%2Farticle%2F")
    );
    let page = client.get("/admin/login/").await;
    assert_eq!(page.status(), 200);
    assert!(html(&page).contains(r#"name="password""#));
    assert_eq!(page.header("cache-control"), Some("no-store, private"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
}

#[tokio::test]
async fn only_active_staff_may_log_in() {
    let (_db, client) = setup(0).await;
    assert_eq!(login(&client, "reader").await, 200, "not staff: the form again");
    assert_eq!(client.get("/admin/").await.status(), 302);
    let page =
        submit(&client, "/admin/login/", &[("username", "root"), ("password", "wrong")]).await;
    assert!(html(&page).contains("correct username and password"), "{}", html(&page));
    assert_eq!(login(&client, "root").await, 302);
    let index = client.get("/admin/").await;
    assert_eq!(index.status(), 200);
    assert!(html(&index).contains("Articles"));
}

#[tokio::test]
async fn login_goes_back_to_next_but_never_off_site() {
    let (_db, client) = setup(0).await;
    let response = login_to(&client, "root", "//evil.example/").await;
    assert_eq!(response.header("location"), Some("/admin/"));
}

#[tokio::test]
async fn admin_forms_need_the_csrf_token() {
    let (_db, client) = as_root(1).await;
    let forged = client.post("/admin/blog/tag/add/").form(&[("name", "forged")]).await;
    assert_eq!(forged.status(), 403);
    assert_eq!(Tag::objects().count(&_db).await.unwrap(), 2);
}

#[tokio::test]
async fn staff_without_permissions_see_no_model_and_get_403() {
    let (db, client) = setup(3).await;
    assert_eq!(login(&client, "editor").await, 302);
    let index = html(&client.get("/admin/").await);
    assert!(index.contains("permission to view or edit anything"), "{index}");
    assert!(!index.contains("/admin/blog/article/"));
    let article = Article::objects().first(&db).await.unwrap().unwrap().id.value();
    for url in [
        "/admin/blog/article/".to_owned(),
        "/admin/blog/article/add/".to_owned(),
        format!("/admin/blog/article/{article}/change/"),
        format!("/admin/blog/article/{article}/delete/"),
        format!("/admin/blog/article/{article}/history/"),
        "/admin/auth/user/".to_owned(),
    ] {
        assert_eq!(client.get(&url).await.status(), 403, "{url}");
    }

    // With the view permission only: the list and a read-only form, still no add or delete.
    let auth = auth(&db);
    auth.sync_permissions(&[("blog", blog_models())]).await.unwrap();
    let editor = User::objects().filter(User::USERNAME.eq("editor")).get(&db).await.unwrap();
    auth.grant(&editor, "blog.view_article").await.unwrap();
    assert_eq!(client.get("/admin/blog/article/").await.status(), 200);
    let form = client.get(&format!("/admin/blog/article/{article}/change/")).await;
    assert_eq!(form.status(), 200);
    assert!(!html(&form).contains(r#"name="_save""#), "a view-only form has no save button");
    assert_eq!(client.get("/admin/blog/article/add/").await.status(), 403);
    let post = submit(
        &client,
        "/admin/blog/article/",
        &[("action", "delete_selected"), ("_selected_action", &article.to_string())],
    )
    .await;
    assert_eq!(post.status(), 403, "no delete permission");
    assert!(Article::objects().filter(Article::ID.eq(article)).exists(&db).await.unwrap());
}

#[tokio::test]
async fn the_change_list_pages_searches_filters_and_sorts() {
    let (_db, client) = as_root(250).await;
    let first = html(&client.get("/admin/blog/article/").await);
    assert_eq!(titles(&first).len(), 100);
    assert_eq!(titles(&first)[0], "Article 249", "default ordering: newest first");
    assert!(first.contains("250"), "the total count is shown");
    let last = html(&client.get("/admin/blog/article/?p=3").await);
    assert_eq!(titles(&last).len(), 50);
    assert_eq!(client.get("/admin/blog/article/?p=4").await.status(), 404);

    // Search across the relation: Grace wrote the odd ones.
    let grace = html(&client.get("/admin/blog/article/?q=grace").await);
    assert!(grace.contains("125"), "125 of Grace's articles are counted");
    assert!(
        titles(&grace)
            .iter()
            .all(|t| t.trim_start_matches("Article ").parse::<u32>().unwrap() % 2 == 1)
    );
    let both = html(&client.get("/admin/blog/article/?q=grace+article+007").await);
    assert_eq!(titles(&both), ["Article 007"]);

    // Filters: choices, booleans, foreign keys, dates.
    let published = html(&client.get("/admin/blog/article/?status__exact=published").await);
    assert!(
        titles(&published)
            .iter()
            .all(|t| t.trim_start_matches("Article ").parse::<u32>().unwrap() % 3 == 0)
    );
    let featured = html(&client.get("/admin/blog/article/?featured__exact=1").await);
    assert_eq!(titles(&featured), ["Article 001"]);
    let today = client
        .get(&format!("/admin/blog/article/?created_at__gte={}", Utc::now().date_naive()))
        .await;
    assert_eq!(titles(&html(&today)).len(), 100);
    let bad = client.get("/admin/blog/article/?title__exact=x").await;
    assert_eq!(bad.status(), 400, "only list_filter fields can be filtered");
    assert_eq!(client.get("/admin/blog/article/?featured__exact=maybe").await.status(), 400);

    // Sorting by a column, both ways.
    let ascending = html(&client.get("/admin/blog/article/?o=1").await);
    assert_eq!(titles(&ascending)[0], "Article 000");
    let descending = html(&client.get("/admin/blog/article/?o=-1").await);
    assert_eq!(titles(&descending)[0], "Article 249");
    assert!(ascending.contains("Grace Hopper"), "a foreign key shows the related object's name");
}

#[tokio::test]
async fn the_add_form_shows_each_error_next_to_its_field_then_saves() {
    let (db, client) = as_root(0).await;
    let ada = Author::objects().filter(Author::NAME.eq("Ada Lovelace")).get(&db).await.unwrap();
    let ada_id = ada.id.value().to_string();
    let tag_ids: Vec<String> =
        Tag::objects().all(&db).await.unwrap().iter().map(|t| t.id.value().to_string()).collect();

    let bad = submit(
        &client,
        "/admin/blog/article/add/",
        &[
            ("title", "Hi"),
            ("body", "text"),
            ("status", "unknown"),
            ("author", &ada_id),
            ("published_on", "2026-02-30"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let text = html(&bad);
    assert!(
        text.contains("Select a valid choice. unknown is not one of the available choices."),
        "{text}"
    );
    assert!(text.contains("Enter a valid date"), "{text}");
    assert!(text.contains(r#"value="Hi""#), "what was typed is kept");
    assert_eq!(Article::objects().count(&db).await.unwrap(), 0);

    // The model's own validation (validator's rules, as the API applies them).
    let short = submit(
        &client,
        "/admin/blog/article/add/",
        &[("title", "Hi"), ("body", "text"), ("status", "draft"), ("author", &ada_id)],
    )
    .await;
    assert_eq!(short.status(), 422);
    assert!(html(&short).contains("A title has at least 3 characters."), "{}", html(&short));
    assert_eq!(
        Article::objects().count(&db).await.unwrap(),
        0,
        "nothing is kept of a refused form"
    );

    let good = submit(
        &client,
        "/admin/blog/article/add/",
        &[
            ("title", "Hello admin"),
            ("body", "text"),
            ("status", "draft"),
            ("author", &ada_id),
            ("featured", "on"),
            ("published_on", "2026-11-27"),
            ("tags", &tag_ids[0]),
            ("tags", &tag_ids[1]),
            ("_continue", "1"),
        ],
    )
    .await;
    assert_eq!(good.status(), 302, "{}", html(&good));
    let article = Article::objects().get(&db).await.unwrap();
    assert_eq!(
        good.header("location").unwrap(),
        format!("/admin/blog/article/{}/change/", article.id.value())
    );
    assert!(article.featured);
    assert_eq!(article.published_on, NaiveDate::from_ymd_opt(2026, 11, 27));
    assert_eq!(article.tags.query().count(&db).await.unwrap(), 2);
    let page = html(&client.get(good.header("location").unwrap()).await);
    assert!(page.contains("was added successfully"), "{page}");
    let log = LogEntry::objects().get(&db).await.unwrap();
    assert_eq!(
        (log.action_flag, log.object_repr.as_str(), log.change_message.as_str()),
        (1, "Hello admin", "Added.")
    );
}

#[tokio::test]
async fn unique_fields_are_checked_with_a_message_on_the_field() {
    let (db, client) = as_root(0).await;
    let taken = submit(&client, "/admin/blog/author/add/", &[("name", "Ada Lovelace")]).await;
    assert_eq!(taken.status(), 422);
    assert!(html(&taken).contains("Author with this name already exists."), "{}", html(&taken));
    assert_eq!(Author::objects().count(&db).await.unwrap(), 2);
    let required = submit(&client, "/admin/blog/author/add/", &[("name", "")]).await;
    assert!(html(&required).contains("This field is required."));
}

#[tokio::test]
async fn a_database_check_constraint_is_a_form_error_not_a_500() {
    let (db, client) = as_root(0).await;
    let before = Category::objects().count(&db).await.unwrap();
    let refused = submit(&client, "/admin/blog/category/add/", &[("name", "News!")]).await;
    assert_eq!(refused.status(), 422);
    let page = html(&refused);
    assert!(page.contains("The database refused these values"), "{page}");
    assert!(page.contains(r#"value="News!""#), "the typed values are kept: {page}");
    assert!(!page.contains("NOT LIKE"), "the database's own message stays in the log");
    assert_eq!(Category::objects().count(&db).await.unwrap(), before);
}

#[tokio::test]
async fn the_change_form_saves_and_the_history_says_what_changed() {
    let (db, client) = as_root(1).await;
    let article = Article::objects().get(&db).await.unwrap();
    let url = format!("/admin/blog/article/{}/change/", article.id.value());
    let page = html(&client.get(&url).await);
    assert!(page.contains(r#"value="Article 000""#));
    assert!(page.contains("Created at"), "read-only fields are shown");
    let author = article.author.id().to_string();
    let saved = submit(
        &client,
        &url,
        &[
            ("title", "Renamed"),
            ("body", "one two three"),
            ("status", "draft"),
            ("author", &author),
        ],
    )
    .await;
    assert_eq!(saved.status(), 302);
    assert_eq!(saved.header("location"), Some("/admin/blog/article/"));
    let fresh = Article::objects().get(&db).await.unwrap();
    assert_eq!((fresh.title.as_str(), fresh.status), ("Renamed", Status::Draft));
    assert_eq!(fresh.created_at, article.created_at, "read-only fields keep their value");
    let history =
        html(&client.get(&format!("/admin/blog/article/{}/history/", article.id.value())).await);
    assert!(history.contains("Changed title and status."), "{history}");
    let index = html(&client.get("/admin/").await);
    assert!(index.contains("Renamed"), "recent actions on the index");
}

#[tokio::test]
async fn a_bulk_action_asks_first_then_runs() {
    let (db, client) = as_root(4).await;
    let drafts: Vec<String> = Article::objects()
        .filter(Article::STATUS.eq(Status::Draft))
        .all(&db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id.value().to_string())
        .collect();
    assert_eq!(drafts.len(), 2);
    let mut fields = vec![("action", "publish")];
    fields.extend(drafts.iter().map(|id| ("_selected_action", id.as_str())));
    let confirm = submit(&client, "/admin/blog/article/", &fields).await;
    assert_eq!(confirm.status(), 200);
    assert!(html(&confirm).contains("Yes, I"), "a confirmation step");
    assert_eq!(
        Article::objects().filter(Article::STATUS.eq(Status::Draft)).count(&db).await.unwrap(),
        2
    );
    fields.push(("post", "yes"));
    let done = submit(&client, "/admin/blog/article/", &fields).await;
    assert_eq!(done.status(), 302);
    assert_eq!(
        Article::objects().filter(Article::STATUS.eq(Status::Draft)).count(&db).await.unwrap(),
        0
    );
    let list = html(&client.get("/admin/blog/article/").await);
    assert!(list.contains("2 articles published."));

    let nothing = submit(&client, "/admin/blog/article/", &[("action", "publish")]).await;
    assert_eq!(nothing.status(), 302);
    assert!(html(&client.get("/admin/blog/article/").await).contains("Items must be selected"));
}

#[tokio::test]
async fn deleting_lists_the_cascade_and_protect_refuses() {
    let (db, client) = as_root(4).await;
    let ada = Author::objects().filter(Author::NAME.eq("Ada Lovelace")).get(&db).await.unwrap();
    let url = format!("/admin/blog/author/{}/delete/", ada.id.value());
    let confirm = html(&client.get(&url).await);
    assert!(confirm.contains("Article 000") && confirm.contains("Article 002"), "{confirm}");
    assert!(confirm.contains("Comment 1"), "two levels down: the comment on Article 000");
    assert!(!confirm.contains("Article 001"), "Grace's articles stay");

    let deleted = submit(&client, &url, &[("post", "yes")]).await;
    assert_eq!(deleted.status(), 302);
    assert_eq!(Author::objects().count(&db).await.unwrap(), 1);
    assert_eq!(Article::objects().count(&db).await.unwrap(), 2);
    assert_eq!(Comment::objects().count(&db).await.unwrap(), 0);
    assert_eq!(
        LogEntry::objects().filter(LogEntry::ACTION_FLAG.eq(3i16)).count(&db).await.unwrap(),
        1
    );

    // A category still used by an article is protected.
    let essays = Category::objects().get(&db).await.unwrap();
    Article::objects()
        .update()
        .set_value("category", essays.id.value())
        .execute(&db)
        .await
        .unwrap();
    let url = format!("/admin/blog/category/{}/delete/", essays.id.value());
    let refused = client.get(&url).await;
    assert_eq!(refused.status(), 409);
    assert!(html(&refused).contains("protected"), "{}", html(&refused));
    assert!(!html(&refused).contains("Yes, I"), "no way to confirm");
    let page = html(&client.get("/admin/blog/category/").await);
    let token = csrf(&page);
    let post =
        client.post(&url).form(&[("csrfmiddlewaretoken", token.as_str()), ("post", "yes")]).await;
    assert_eq!(post.status(), 409);
    assert_eq!(Category::objects().count(&db).await.unwrap(), 1);
}

#[tokio::test]
async fn large_foreign_key_tables_get_search_as_you_type() {
    let (db, client) = as_root(3).await;
    let form = html(&client.get("/admin/blog/comment/add/").await);
    assert!(
        form.contains("/admin/blog/article/autocomplete/"),
        "Comment uses autocomplete_over(0)"
    );
    let found: serde_json::Value =
        client.get("/admin/blog/article/autocomplete/?term=002").await.json();
    let id = Article::objects()
        .filter(Article::TITLE.eq("Article 002"))
        .get(&db)
        .await
        .unwrap()
        .id
        .value();
    assert_eq!(
        found["results"],
        serde_json::json!([{"id": id.to_string(), "text": "Article 002"}])
    );
}

#[tokio::test]
async fn files_upload_and_json_is_checked() {
    let (db, client) = as_root(0).await;
    let page = html(&client.get("/admin/blog/document/add/").await);
    assert!(page.contains(r#"enctype="multipart/form-data""#));
    assert!(
        page.contains(r#"type="file""#)
            && page.contains("json-editor")
            && page.contains(r#"type="time""#)
    );
    let token = csrf(&page);
    let form = |settings: &str| {
        quiver::testing::MultipartForm::new()
            .text("csrfmiddlewaretoken", &token)
            .text("title", "Report")
            .text("settings", settings)
            .text("reminder", "09:30")
            .file("file", "report.pdf", "application/pdf", b"%PDF-1.7 tiny")
    };
    let bad = client.post("/admin/blog/document/add/").multipart(form("{not json")).await;
    assert_eq!(bad.status(), 422);
    assert!(html(&bad).contains("Enter valid JSON"), "{}", html(&bad));
    let good = client.post("/admin/blog/document/add/").multipart(form(r#"{"pages": 3}"#)).await;
    assert_eq!(good.status(), 302, "{}", html(&good));
    let document = Document::objects().get(&db).await.unwrap();
    assert_eq!(document.file, b"%PDF-1.7 tiny");
    assert_eq!(document.settings, serde_json::json!({"pages": 3}));
    assert_eq!(document.reminder, NaiveTime::from_hms_opt(9, 30, 0));

    // Saving again without choosing a file keeps the stored one.
    let url = format!("/admin/blog/document/{}/change/", document.id.value());
    let page = html(&client.get(&url).await);
    assert!(page.contains("13 bytes"), "the current file is described");
    let again = quiver::testing::MultipartForm::new()
        .text("csrfmiddlewaretoken", &csrf(&page))
        .text("title", "Report v2")
        .text("settings", r#"{"pages": 4}"#)
        .text("reminder", "")
        .file("file", "", "application/octet-stream", b"");
    assert_eq!(client.post(&url).multipart(again).await.status(), 302);
    let document = Document::objects().get(&db).await.unwrap();
    assert_eq!(
        (document.title.as_str(), document.file.len(), document.reminder),
        ("Report v2", 13, None)
    );
}

#[tokio::test]
async fn users_are_registered_without_their_password_hash() {
    let (_db, client) = as_root(0).await;
    let users = html(&client.get("/admin/auth/user/?q=edit").await);
    assert_eq!(titles(&users), ["editor"]);
    let root = User::objects().filter(User::USERNAME.eq("root")).get(&_db).await.unwrap();
    let form = html(&client.get(&format!("/admin/auth/user/{}/change/", root.id.value())).await);
    assert!(!form.contains("argon2"), "the hash is never shown");
    assert!(form.contains(r#"name="is_staff""#));
}

#[tokio::test]
async fn the_password_change_form_keeps_the_session() {
    let (db, client) = as_root(0).await;
    let mismatch = submit(
        &client,
        "/admin/password_change/",
        &[
            ("old_password", PASSWORD),
            ("new_password1", "a-new-long-passphrase-1"),
            ("new_password2", "other"),
        ],
    )
    .await;
    assert!(html(&mismatch).contains("didn't match"));
    let weak = submit(
        &client,
        "/admin/password_change/",
        &[("old_password", PASSWORD), ("new_password1", "12345678"), ("new_password2", "12345678")],
    )
    .await;
    assert!(html(&weak).contains("digits only"), "{}", html(&weak));
    let done = submit(
        &client,
        "/admin/password_change/",
        &[
            ("old_password", PASSWORD),
            ("new_password1", "a-new-long-passphrase-1"),
            ("new_password2", "a-new-long-passphrase-1"),
        ],
    )
    .await;
    assert!(html(&done).contains("Your password was changed."), "{}", html(&done));
    assert_eq!(client.get("/admin/").await.status(), 200, "still logged in");
    let root = User::objects().filter(User::USERNAME.eq("root")).get(&db).await.unwrap();
    assert!(auth(&db).password_hasher().verify("a-new-long-passphrase-1", &root.password).ok());
}

#[tokio::test]
async fn static_files_are_built_in_and_cached_and_pages_are_not_in_openapi() {
    let (_db, client) = setup(0).await;
    let page = html(&client.get("/admin/login/").await);
    let re = regex::Regex::new(r#"(/admin/static/admin\.css\?v=[0-9a-f]+)"#).unwrap();
    let css_url =
        re.captures(&page.replace("&#x2f;", "/")).expect("the page links its CSS")[1].to_owned();
    let css = client.get(&css_url).await;
    assert_eq!(css.status(), 200);
    assert_eq!(css.header("cache-control"), Some("public, max-age=31536000, immutable"));
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    let document: serde_json::Value = client.get("/openapi.json").await.json();
    assert!(document["paths"].as_object().unwrap().keys().all(|p| !p.starts_with("/admin")));
}

#[tokio::test]
async fn templates_can_be_replaced_from_the_app_folder() {
    let dir = std::env::temp_dir().join(format!("quiver-admin-templates-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("admin")).unwrap();
    std::fs::write(dir.join("admin/login.html"), "<p>Our own login page</p>{{ csrf_field }}")
        .unwrap();
    let db = database("sqlite::memory:").await;
    let app = App::new().state(db.clone()).auth(auth(&db)).admin(site().templates(&dir));
    let page = html(&TestClient::new(app).get("/admin/login/").await);
    assert!(page.starts_with("<p>Our own login page</p><input type=\"hidden\""), "{page}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
#[should_panic(expected = "list_display names `titel`, which is not a field")]
fn a_misspelt_field_stops_the_app_at_start_up() {
    let _ = App::new().admin(AdminSite::new().register::<Article>(|a| a.list_display(["titel"])));
}

#[tokio::test]
async fn a_tab_in_next_cannot_leave_the_site() {
    let (_db, client) = setup(0).await;
    let response = login_to(&client, "root", "/\t/evil.example/").await;
    assert_eq!(response.header("location"), Some("/admin/"), "browsers read /\\t/ as //");
}

#[tokio::test]
async fn deletes_and_history_need_their_own_permissions() {
    let (db, client) = setup(2).await;
    let auth = auth(&db);
    auth.sync_permissions(&[("blog", blog_models())]).await.unwrap();
    let editor = User::objects().filter(User::USERNAME.eq("editor")).get(&db).await.unwrap();
    for perm in ["blog.view_author", "blog.delete_author", "blog.add_article"] {
        auth.grant(&editor, perm).await.unwrap();
    }
    assert_eq!(login(&client, "editor").await, 302);
    let ada = Author::objects().filter(Author::NAME.eq("Ada Lovelace")).get(&db).await.unwrap();
    let url = format!("/admin/blog/author/{}/delete/", ada.id.value());
    let refused = client.get(&url).await;
    assert_eq!(refused.status(), 403, "the cascade reaches articles the editor may not delete");
    assert!(html(&refused).contains("Articles"), "{}", html(&refused));
    let article = Article::objects().first(&db).await.unwrap().unwrap().id.value();
    let history = client.get(&format!("/admin/blog/article/{article}/history/")).await;
    assert_eq!(history.status(), 403, "adding does not mean seeing the history");
    assert_eq!(Author::objects().count(&db).await.unwrap(), 2);
}

#[tokio::test]
async fn saving_a_user_keeps_links_the_form_cannot_show() {
    let (db, client) = as_root(0).await;
    let auth = auth(&db);
    auth.sync_permissions(&[("blog", vec![Article::meta()])]).await.unwrap();
    let editor = User::objects().filter(User::USERNAME.eq("editor")).get(&db).await.unwrap();
    auth.grant(&editor, "blog.view_article").await.unwrap();
    let url = format!("/admin/auth/user/{}/change/", editor.id.value());
    let saved = submit(
        &client,
        &url,
        &[("username", "editor"), ("email", ""), ("is_active", "on"), ("is_staff", "on")],
    )
    .await;
    assert_eq!(saved.status(), 302, "empty names and email are allowed: {}", html(&saved));
    let editor = User::objects().filter(User::USERNAME.eq("editor")).get(&db).await.unwrap();
    assert_eq!(
        editor.user_permissions.query().count(&db).await.unwrap(),
        1,
        "permissions are not on the form: kept"
    );
    assert_eq!(editor.email, "");

    // A user added in the admin gets an unusable password.
    let added =
        submit(&client, "/admin/auth/user/add/", &[("username", "newbie"), ("is_active", "on")])
            .await;
    assert_eq!(added.status(), 302, "{}", html(&added));
    let newbie = User::objects().filter(User::USERNAME.eq("newbie")).get(&db).await.unwrap();
    assert!(!auth.password_hasher().verify("", &newbie.password).ok());
}
