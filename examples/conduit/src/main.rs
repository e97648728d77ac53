//! Serves Conduit on `127.0.0.1:$PORT` (default 8000): SQLite in `conduit.sqlite3` unless
//! `QUIVER_DATABASE_URL` names another database (`postgres://...`); migrations are applied at
//! start. `QUIVER_SECRET_KEY` signs the tokens (a development key otherwise).

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".into());
    let url = std::env::var("QUIVER_DATABASE_URL")
        .unwrap_or_else(|_| "sqlite://conduit.sqlite3?mode=rwc".into());
    let secret = std::env::var("QUIVER_SECRET_KEY")
        .unwrap_or_else(|_| quiver::settings::DEV_SECRET_KEY.to_owned());
    quiver::init_logging();
    let runtime = quiver::deps::tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let db = quiver::orm::Db::connect(&url).await.map_err(std::io::Error::other)?;
        conduit::migrate(&db).await.map_err(std::io::Error::other)?;
        conduit::app(db, secret.as_bytes()).serve(format!("127.0.0.1:{port}")).await
    })
}
