//! Serves Conduit on `127.0.0.1:$PORT` (default 8000): SQLite in `conduit.sqlite3` unless
//! `QUIVER_DATABASE_URL` names another database (`postgres://...`); migrations are applied at
//! start. `QUIVER_SECRET_KEY` signs the tokens (a development key otherwise).
//!
//! `conduit manage <command>` runs the project's commands instead (`createsuperuser` for the
//! admin at `/admin/`, `migrate`, `showmigrations`, `clearsessions`, ...).

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".into());
    let url = std::env::var("QUIVER_DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://conduit.sqlite3?mode=rwc".into());
    let secret = std::env::var("QUIVER_SECRET_KEY")
        .unwrap_or_else(|_| quiver::settings::DEV_SECRET_KEY.to_owned());
    quiver::init_logging();
    let runtime = quiver::server::runtime_builder().build()?;
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("manage") {
        let status = runtime.block_on(async {
            let db = quiver::orm::Db::connect(&url).await.map_err(std::io::Error::other)?;
            let project = quiver::manage::Project {
                apps: conduit::apps(),
                auth: Some(conduit::auth_settings(&db, secret.as_bytes())),
                ..Default::default()
            };
            let command = ["manage".to_owned(), "--database".to_owned(), url.clone()]
                .into_iter()
                .chain(args[2..].iter().cloned());
            let stdin = std::io::stdin();
            let code = quiver::manage::run_project(
                &project,
                command,
                &mut stdin.lock(),
                &mut std::io::stdout(),
            )
            .await;
            Ok::<i32, std::io::Error>(code)
        })?;
        std::process::exit(status);
    }
    runtime.block_on(async move {
        let db = quiver::orm::Db::connect(&url).await.map_err(std::io::Error::other)?;
        conduit::migrate(&db).await.map_err(std::io::Error::other)?;
        conduit::app(db, secret.as_bytes()).serve(format!("127.0.0.1:{port}")).await
    })
}
