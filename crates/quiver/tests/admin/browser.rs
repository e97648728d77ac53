//! The admin in a real headless Chromium (Debian's `chromium` and `chromium-driver`), the way
//! staff use it: log in, search and filter the change list, add an article (first with a
//! mistake the form points out, then fixed), edit it, run a bulk action, delete an author with
//! everything that cascades, and finally see what a staff user without permissions gets.
//! Every step is checked by what the page shows (and the database where it matters).
//! Screenshots go to `target/admin-screenshots/`. Without chromedriver the test says so and
//! passes; CI installs the browser.

#[path = "../support/browser.rs"]
mod support;

use std::path::{Path, PathBuf};

use fantoccini::error::CmdError;
use fantoccini::{Client, Locator};
use quiver::prelude::*;
use support::{
    browser, chromedriver_or_skip, click, fill, find, screenshot, serve, text_of, texts_of,
    value_of, wait_for,
};

use crate::{Article, Author, Comment, PASSWORD, Status, app, content, database, users};

#[tokio::test(flavor = "multi_thread")]
async fn staff_work_through_the_admin_in_a_browser() {
    let Some((_driver, driver_port)) = chromedriver_or_skip() else { return };
    // A file, not `:memory:`: the server's pool and the test share the rows.
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("admin-browser-{}.db", std::process::id()));
    remove_database(&file);
    let db = database(&format!("sqlite://{}?mode=rwc", file.display())).await;
    users(&db).await;
    content(&db, 30).await;
    // `content` gives the odd-numbered articles to Grace and publishes every third one.
    let graces = (0..30).filter(|i| i % 2 == 1).count();
    let graces_published = (0..30).filter(|i| i % 2 == 1 && i % 3 == 0).count();
    let ada = Author::objects().filter(Author::NAME.eq("Ada Lovelace")).get(&db).await.unwrap();
    let adas_articles =
        Article::objects().filter(Article::AUTHOR.eq(ada.id.value())).count(&db).await.unwrap();
    let (base, stop) = serve(app(&db)).await;
    let url = |path: &str| format!("{base}{path}");

    let client = browser(driver_port).await;
    let result = async {
        // 1. Not logged in: the admin sends us to its login page; after it, the index.
        client.goto(&url("/admin/")).await?;
        wait_for(&client, "body.login #id_username").await?;
        assert_eq!(client.current_url().await?.path(), "/admin/login/");
        log_in(&client, "root").await?;
        assert_eq!(text_of(&client, "#app-blog caption").await?, "Blog");
        let articles_link = "#app-blog a[href='/admin/blog/article/']";
        assert!(text_of(&client, articles_link).await?.eq("Articles"));
        save_screenshot(&client, "index.png").await?;

        // 2. The change list: search, then filter.
        click(&client, articles_link).await?;
        wait_for(&client, "body.change-list #searchbar").await?;
        assert!(text_of(&client, "p.result-count").await?.starts_with("30 articles"));
        fill(&client, "#searchbar", "Grace").await?;
        click(&client, "#changelist-search button[type=submit]").await?;
        wait_for(&client, "p.result-count a").await?; // the "(30 total)" link of a narrowed list
        let rows = texts_of(&client, "#result_list tbody tr").await?;
        assert_eq!(rows.len(), graces);
        assert!(rows.iter().all(|row| row.contains("Grace Hopper")), "{rows:?}");
        assert!(
            text_of(&client, "p.result-count").await?.starts_with(&format!("{graces} articles"))
        );

        client
            .find(Locator::XPath(
                "//nav[@id='changelist-filter']//a[normalize-space()='Published']",
            ))
            .await?
            .click()
            .await?;
        wait_for(&client, "#changelist-filter-clear").await?;
        let rows = texts_of(&client, "#result_list tbody tr").await?;
        assert_eq!(rows.len(), graces_published);
        assert!(
            rows.iter().all(|row| row.contains("Grace Hopper") && row.contains("Published")),
            "{rows:?}"
        );
        let count = text_of(&client, "p.result-count").await?;
        assert!(count.starts_with(&format!("{graces_published} articles")), "{count}");
        assert!(count.contains("30 total"), "{count}");
        assert!(
            texts_of(&client, "#changelist-filter li.selected a")
                .await?
                .contains(&"Published".into())
        );
        assert_eq!(value_of(&client, "#searchbar").await?, "Grace", "the search is kept");
        save_screenshot(&client, "change-list.png").await?;
        // On a phone the filters stack above the list and the table scrolls on its own.
        client.set_window_size(390, 844).await?;
        let overflow = client
            .execute("return document.documentElement.scrollWidth <= window.innerWidth;", vec![])
            .await?;
        assert_eq!(overflow, serde_json::json!(true), "the page itself never scrolls sideways");
        save_screenshot(&client, "change-list-phone.png").await?;
        client.set_window_size(1280, 1000).await?;

        // 3. Add an article: a too-short title is pointed out, the typed values stay.
        click(&client, ".object-tools a.addlink").await?;
        wait_for(&client, "body.change-form #id_title").await?;
        assert_eq!(client.current_url().await?.path(), "/admin/blog/article/add/");
        let body = "Written by a robot that clicks buttons.";
        fill(&client, "#id_title", "Hi").await?;
        fill(&client, "#id_body", body).await?;
        find(&client, "#id_status").await?.select_by_value("draft").await?;
        find(&client, "#id_author").await?.select_by_label("Grace Hopper").await?;
        click(&client, "button[name=_save]").await?;
        let error = wait_for(&client, ".form-row.field-title.errors ul.errorlist").await?;
        assert_eq!(error.text().await?.trim(), "A title has at least 3 characters.");
        assert_eq!(text_of(&client, "p.errornote").await?, "Please correct the error below.");
        assert_eq!(value_of(&client, "#id_title").await?, "Hi");
        assert_eq!(value_of(&client, "#id_body").await?.trim(), body);
        assert_eq!(text_of(&client, "#id_author option:checked").await?, "Grace Hopper");
        save_screenshot(&client, "change-form-errors.png").await?;

        let title = "Browsers are tested too";
        fill(&client, "#id_title", title).await?;
        click(&client, "button[name=_continue]").await?;
        let message = success_message(&client, "change-form").await?;
        assert!(message.contains(&format!("“{title}” was added successfully")), "{message}");
        let added = Article::objects().filter(Article::TITLE.eq(title)).get(&db).await.unwrap();
        assert_eq!(added.status, Status::Draft);
        let change_path = format!("/admin/blog/article/{}/change/", added.id.value());
        assert_eq!(client.current_url().await?.path(), change_path);
        assert_eq!(value_of(&client, "#id_title").await?, title);

        // 4. Edit it: back on the list, which says so and shows the new title first.
        let renamed = "Chromium clicked through this one";
        fill(&client, "#id_title", renamed).await?;
        click(&client, "button[name=_save]").await?;
        let message = success_message(&client, "change-list").await?;
        assert_eq!(message, format!("The article “{renamed}” was changed successfully."));
        assert_eq!(
            texts_of(&client, "#result_list tbody th a").await?.first().map(String::as_str),
            Some(renamed)
        );

        // 5. A bulk action on two ticked rows, confirmed.
        let boxes = client.find_all(Locator::Css("#result_list .action-select")).await?;
        let mut ids = Vec::new();
        for checkbox in &boxes[..2] {
            checkbox.click().await?;
            ids.push(checkbox.attr("value").await?.expect("a row key").parse::<i64>().unwrap());
        }
        assert_eq!(
            text_of(&client, ".action-counter").await?,
            format!("2 of {} selected", boxes.len())
        );
        assert_eq!(client.find_all(Locator::Css("#result_list tr.selected")).await?.len(), 2);
        find(&client, "select[name=action]").await?.select_by_value("publish").await?;
        click(&client, "button[name=index]").await?;
        wait_for(&client, "body.action-confirmation").await?;
        let listed = texts_of(&client, "ul.action-objects li").await?;
        assert_eq!(listed.len(), 2, "{listed:?}");
        assert!(listed.iter().any(|item| item.contains(renamed)), "{listed:?}");
        click_button(&client, "Yes, I'm sure").await?;
        assert_eq!(success_message(&client, "change-list").await?, "2 articles published.");
        let published = Article::objects()
            .filter(Article::ID.in_(ids))
            .filter(Article::STATUS.eq(Status::Published))
            .count(&db)
            .await
            .unwrap();
        assert_eq!(published, 2);

        // 6. Delete an author: the confirmation lists what goes with her.
        client.goto(&url(&format!("/admin/blog/author/{}/delete/", ada.id.value()))).await?;
        wait_for(&client, "body.delete-confirmation").await?;
        let summary = text_of(&client, "ul.delete-summary").await?;
        for line in [
            "Authors: 1".to_owned(),
            format!("Articles: {adas_articles}"),
            "Comments: 1".to_owned(),
        ] {
            assert!(summary.contains(&line), "{line} in {summary}");
        }
        let related = texts_of(&client, "ul.deleted-objects.related li").await?;
        assert_eq!(related.len() as u64, adas_articles + 1, "{related:?}");
        assert!(related.contains(&"Article: Article 000".into()), "{related:?}");
        assert!(related.iter().any(|item| item.starts_with("Comment: ")), "{related:?}");
        save_screenshot(&client, "delete-confirmation.png").await?;
        click_button(&client, "Yes, I'm sure").await?;
        let message = success_message(&client, "change-list").await?;
        assert_eq!(message, "The author “Ada Lovelace” was deleted successfully.");
        assert!(
            !Author::objects().filter(Author::NAME.eq("Ada Lovelace")).exists(&db).await.unwrap()
        );
        let left =
            Article::objects().filter(Article::AUTHOR.eq(ada.id.value())).count(&db).await.unwrap();
        assert_eq!(left, 0, "her articles went with her");
        assert_eq!(Comment::objects().count(&db).await.unwrap(), 0, "and the comment on them");
        assert!(Article::objects().filter(Article::TITLE.eq(renamed)).exists(&db).await.unwrap());

        // 7. Staff without permissions: an empty index, and a 403 for the model's pages.
        click(&client, "#logout-form button").await?;
        wait_for(&client, "body.login #id_username").await?;
        log_in(&client, "editor").await?;
        assert_eq!(
            text_of(&client, "#content-main .app-list").await?,
            "You don't have permission to view or edit anything."
        );
        assert!(client.find_all(Locator::Css("#content-main .app-list table")).await?.is_empty());
        client.goto(&url("/admin/blog/article/")).await?;
        wait_for(&client, "body.error-page.status-403").await?;
        assert_eq!(text_of(&client, "#content-main h1").await?, "Permission denied");
        assert_eq!(
            text_of(&client, ".error-message").await?,
            "You don't have permission to view this model."
        );
        Ok::<_, CmdError>(())
    }
    .await;
    client.close().await.ok();
    stop.shutdown();
    result.expect("staff work through the admin in Chromium");
    remove_database(&file);
}

/// Fills the login form (we are on the login page) and waits for the index.
async fn log_in(client: &Client, username: &str) -> Result<(), CmdError> {
    fill(client, "#id_username", username).await?;
    fill(client, "#id_password", PASSWORD).await?;
    click(client, "#login-form button[type=submit]").await?;
    wait_for(client, "body.app-index").await?;
    Ok(())
}

/// Waits for the page whose body has class `page` to show a success message; its text.
async fn success_message(client: &Client, page: &str) -> Result<String, CmdError> {
    let message = wait_for(client, &format!("body.{page} ul.messages li.success")).await?;
    Ok(message.text().await?.trim().to_owned())
}

/// Clicks the page's button labelled `label` (not the header's "Log out").
async fn click_button(client: &Client, label: &str) -> Result<(), CmdError> {
    let xpath = format!(r#"//main//button[normalize-space()="{label}"]"#);
    client.find(Locator::XPath(&xpath)).await?.click().await
}

/// Writes a PNG of the current page under `target/admin-screenshots/`.
async fn save_screenshot(client: &Client, name: &str) -> Result<(), CmdError> {
    screenshot(client, "admin-screenshots", name).await
}

/// Removes the SQLite file (and its journal files) of an earlier run.
fn remove_database(file: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}
