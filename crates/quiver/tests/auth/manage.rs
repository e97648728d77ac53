use quiver::auth::Permission;
use quiver::manage::{App as ManagedApp, Project, run_project};
use quiver::security::SecuritySettings;

use super::*;

/// A project model: gets its permissions at `migrate`.
#[derive(Model, Debug)]
#[model(table = "manage_article")]
pub struct Article {
    pub id: Auto<i64>,
    #[field(max_length = 100)]
    pub title: String,
}

async fn run(project: &Project, args: &str, input: &str) -> (i32, String) {
    let args = args.split(' ').map(String::from);
    let mut out = Vec::new();
    let status = run_project(project, args, &mut input.as_bytes(), &mut out).await;
    (status, String::from_utf8(out).unwrap())
}

#[tokio::test]
async fn migrate_creates_the_auth_tables_and_every_models_permissions() {
    let dir = std::env::temp_dir().join(format!("quiver-auth-manage-{}", uuid::Uuid::new_v4()));
    let file = dir.join("db.sqlite3");
    std::fs::create_dir_all(&dir).unwrap();
    let blog = ManagedApp {
        label: "blog",
        dir: Some(dir.join("blog")),
        embedded: None,
        models: vec![Article::meta()],
    };
    let apps = vec![ManagedApp::auth(), ManagedApp::admin(), blog];
    let project = Project { apps, ..Project::default() };
    let url = format!("sqlite://{}", file.display());
    let (status, out) = run(&project, &format!("manage --database {url} makemigrations"), "").await;
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Create model Article") && !out.contains("Create model User"), "{out}");
    let (status, out) = run(&project, &format!("manage --database {url} migrate"), "").await;
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains("Applied auth.0001_initial") || out.contains("Applied 0001_initial"),
        "{out}"
    );
    assert!(out.contains("Applied admin.0001_initial"), "the admin's history table: {out}");
    assert!(out.contains("Created 32 permissions."), "{out}");

    let db = Db::connect(&url).await.unwrap();
    let names: Vec<String> = Permission::objects()
        .filter(Permission::APP_LABEL.eq("blog"))
        .all(&db)
        .await
        .unwrap()
        .iter()
        .map(Permission::full_name)
        .collect();
    assert_eq!(
        names,
        ["blog.add_article", "blog.change_article", "blog.delete_article", "blog.view_article"]
    );

    let (status, out) = run(
        &project,
        &format!("manage --database {url} createsuperuser --username root --email r@x.io"),
        "short\nshort\n",
    )
    .await;
    assert_eq!(status, 1);
    assert!(out.contains("too short"), "{out}");
    let (status, out) = run(
        &project,
        &format!("manage --database {url} createsuperuser --username root"),
        "root@example.com\na-long-root-passphrase\na-long-root-passphrase\n",
    )
    .await;
    assert_eq!(status, 0, "{out}");
    assert!(out.starts_with("Email address: Password: Password (again): "), "{out}");
    let root = User::objects().filter(User::USERNAME.eq("root")).get(&db).await.unwrap();
    assert!(root.is_superuser && root.is_staff && root.password.starts_with("argon2$"));
    assert_eq!(root.email, "root@example.com");

    // changepassword: the rules apply, the two entries must match, unknown users are named.
    let change = format!("manage --database {url} changepassword root");
    let (status, out) = run(&project, &change, "a-new-passphrase-1\nanother-one-2\n").await;
    assert_eq!(status, 1);
    assert!(out.contains("the two passwords differ"), "{out}");
    let (status, out) = run(&project, &change, "1234\n1234\n").await;
    assert_eq!(status, 1);
    assert!(out.contains("too short"), "{out}");
    let (status, out) = run(&project, &change, "a-new-passphrase-1\na-new-passphrase-1\n").await;
    assert_eq!(status, 0, "{out}");
    assert!(out.ends_with("Password changed successfully for user root.\n"), "{out}");
    let changed = User::objects().filter(User::USERNAME.eq("root")).get(&db).await.unwrap();
    assert_ne!(changed.password, root.password);
    let (status, out) =
        run(&project, &format!("manage --database {url} changepassword nobody"), "").await;
    assert_eq!((status, out.as_str()), (1, "error: there is no user \"nobody\"\n"));
    let (status, out) = run(&project, &format!("manage --database {url} clearsessions"), "").await;
    assert_eq!((status, out.as_str()), (0, "Deleted 0 expired sessions.\n"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn check_deploy_lists_every_insecure_setting_with_its_fix() {
    let db = database().await;
    let weak = Auth::new(&db, b"short").hasher(quiver::auth::password::PasswordHasher::argon2id(
        8 * 1024,
        1,
        1,
    ));
    let project = Project {
        apps: vec![ManagedApp::auth()],
        auth: Some(weak),
        security: SecuritySettings { csrf: false, ..SecuritySettings::default() },
        allowed_hosts: vec!["*".into()],
    };
    let (status, out) = run(&project, "manage check --deploy", "").await;
    assert_eq!(status, 1);
    insta::assert_snapshot!(out);

    let app = App::new().https(quiver::security::Https::default());
    let good = Project {
        apps: vec![ManagedApp::auth()],
        auth: Some(Auth::new(&db, [9u8; 48]).limits(quiver::auth::LimitStore::memory())),
        security: app.security_settings().clone(),
        allowed_hosts: vec!["shop.example.com".into()],
    };
    let (_, out) = run(&good, "manage check --deploy", "").await;
    assert!(!out.contains("secret key") && !out.contains("HTTPS"), "{out}");
}
