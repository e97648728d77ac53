use quiver::auth::{Group, Permission};

use super::*;

async fn publish_permission(db: &Db) {
    Permission {
        id: Default::default(),
        app_label: "blog".into(),
        codename: "change_article".into(),
        name: "Can change article".into(),
    }
    .insert(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn without_the_permission_403_and_with_it_200() {
    let db = database().await;
    publish_permission(&db).await;
    let auth = auth(&db);
    let user = ada(&auth).await;
    let client = client(&db, auth.clone());
    let access = token(&client, "ada", PASSWORD).await["access_token"].as_str().unwrap().to_owned();

    let denied = client.post("/articles/1/publish").bearer(&access).await;
    assert_eq!(denied.status(), 403);
    assert_eq!(
        denied.json::<serde_json::Value>()["detail"],
        "Permission denied: this needs the permission blog.change_article"
    );
    assert_eq!(client.post("/articles/1/publish").await.status(), 401, "anonymous: 401, not 403");

    auth.grant(&user, "blog.change_article").await.unwrap();
    assert_eq!(client.post("/articles/1/publish").bearer(&access).await.status(), 200);
}

#[tokio::test]
async fn group_permissions_count_and_superusers_have_all() {
    let db = database().await;
    publish_permission(&db).await;
    let auth = auth(&db);
    let user = ada(&auth).await;
    let mut editors = Group::new("editors");
    editors.insert(&db).await.unwrap();
    auth.grant_group(&editors, "blog.change_article").await.unwrap();
    assert!(!auth.has_perm(&user, "blog.change_article").await.unwrap());
    user.groups.add(&db, [&editors]).await.unwrap();
    assert!(auth.has_perm(&user, "blog.change_article").await.unwrap());

    let boss = auth.create_superuser("boss", "", "the-boss-passphrase").await.unwrap();
    assert!(auth.has_perm(&boss, "anything.at_all").await.unwrap());
    let mut inactive = boss.clone();
    inactive.is_active = false;
    assert!(!auth.has_perm(&inactive, "anything.at_all").await.unwrap());
}

#[tokio::test]
async fn object_rules_grant_per_object_and_a_denial_wins() {
    struct Article {
        author: i64,
        locked: bool,
    }
    let db = database().await;
    let auth = auth(&db)
        .object_permission(|user, perm, object| {
            let article = object.downcast_ref::<Article>()?;
            (perm == "blog.change_article").then_some(article.author == user.pk())
        })
        .object_permission(|_, _, object| {
            object.downcast_ref::<Article>()?.locked.then_some(false)
        });
    let user = ada(&auth).await;
    let own = Article { author: user.pk(), locked: false };
    let other = Article { author: user.pk() + 1, locked: false };
    let locked = Article { author: user.pk(), locked: true };
    assert!(auth.has_object_perm(&user, "blog.change_article", &own).await.unwrap());
    assert!(!auth.has_object_perm(&user, "blog.change_article", &other).await.unwrap());
    assert!(!auth.has_object_perm(&user, "blog.change_article", &locked).await.unwrap());
}

/// Staff only.
#[get("/staff")]
async fn staff(_: Require<quiver::auth::IsStaff>) -> &'static str {
    "welcome"
}

#[tokio::test]
async fn staff_and_custom_checks() {
    let db = database().await;
    let auth = auth(&db);
    ada(&auth).await;
    auth.create_superuser("root", "", "root-passphrase-77").await.unwrap();
    let client = TestClient::new(App::new().state(db.clone()).auth(auth).routes(routes![staff]));
    let ada = token(&client, "ada", PASSWORD).await["access_token"].as_str().unwrap().to_owned();
    let root = token(&client, "root", "root-passphrase-77").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let denied = client.get("/staff").bearer(&ada).await;
    assert_eq!(
        denied.json::<serde_json::Value>()["detail"],
        "Permission denied: this needs a staff account"
    );
    assert_eq!(client.get("/staff").bearer(&root).await.status(), 200);
}
