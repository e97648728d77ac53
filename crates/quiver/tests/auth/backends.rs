//! The auth app on every database: its migrations apply, and logins, tokens, sessions, API
//! keys and permissions work on SQLite, PostgreSQL and MariaDB.

use quiver::orm::migrations::{Target, load_embedded, migrate};
use quiver::orm::{OneToOne, Result as OrmResult};

use super::*;

/// Django's way to extend users: a profile whose key is the user.
#[derive(Model, Debug, Clone)]
#[model(table = "test_profile")]
pub struct Profile {
    /// The user.
    #[field(primary_key, on_delete = cascade)]
    pub user: OneToOne<User>,
    /// Something the project adds.
    #[field(max_length = 200)]
    pub bio: String,
}

async fn migrated(db: &Db) -> OrmResult<()> {
    let files = load_embedded("auth", quiver::auth::MIGRATIONS.iter().copied())?;
    migrate(db, &files, &Target::Latest, false).await?;
    quiver::orm::schema::create_tables(db, &[Profile::meta()]).await
}

quiver::orm::db_test!(the_auth_app_works_on_every_database, |test| async move {
    let db: Db = test.db().clone();
    migrated(&db).await?;
    let auth = auth(&db);
    let made = auth.sync_permissions(&[("auth", quiver::auth::models())]).await?;
    assert_eq!(made, 24);
    let user = ada(&auth).await;
    Profile { user: OneToOne::new(user.pk()), bio: "Analyst".into() }.insert(&db).await?;
    let profile = Profile::objects().select_related(Profile::USER).get(&db).await?;
    assert_eq!(profile.user.get().unwrap().username, "ada");

    let client = client(&db, auth.clone());
    // Tokens: issue, use, rotate.
    let pair = token(&client, "ada", PASSWORD).await;
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(client.get("/whoami").bearer(access).await.json::<String>(), "ada");
    let rotated = client
        .post("/auth/token")
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ])
        .await;
    assert_eq!(rotated.status(), 200, "{}", rotated.text());
    // Sessions in the database.
    assert_eq!(login(&client, "ada", PASSWORD).await, 200);
    assert_eq!(client.get("/whoami").await.json::<String>(), "ada");
    // Permissions through a group.
    auth.grant(&user, "auth.view_user").await?;
    assert!(auth.has_perm(&user, "auth.view_user").await?);
    assert!(!auth.has_perm(&user, "auth.delete_user").await?);
    // API keys.
    let (_, key) = auth.create_api_key(&user, "ci", None).await.unwrap();
    assert_eq!(client.get("/whoami").header("x-api-key", &key).await.status(), 200);
    // Throttling counts per account.
    for _ in 0..5 {
        assert_eq!(login(&client, "ada", "wrong").await, 401);
    }
    assert_eq!(login(&client, "ada", PASSWORD).await, 429);
    Ok(())
});
