//! Test helpers: a fresh, isolated database per test on each backend, and a macro that runs
//! one test body on SQLite always and on PostgreSQL / MySQL when their URLs are set.
//!
//! The URLs come from `QUIVER_TEST_POSTGRES_URL` and `QUIVER_TEST_MYSQL_URL`. Without them
//! those cases print why they are skipped and pass, so `cargo test` works anywhere.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::db::{Db, PoolOptions};
use crate::error::Result;

/// A database made for one test: a temporary SQLite file, a PostgreSQL schema or a MySQL
/// database, named after the test and recreated empty. Dereferences to [`Db`].
pub struct TestDb {
    db: Db,
    sqlite_file: Option<std::path::PathBuf>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(path) = &self.sqlite_file {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name that is a safe SQL identifier: lowercase letters, digits and `_`.
fn identifier(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let tail = &cleaned[cleaned.len().saturating_sub(50)..];
    format!("qt_{tail}")
}

impl TestDb {
    /// A new SQLite database in a temporary file (WAL, like production).
    pub async fn sqlite() -> Result<TestDb> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("quiver-test-{}-{n}.sqlite3", std::process::id()));
        let db = Db::connect(&format!("sqlite://{}", path.display())).await?;
        Ok(TestDb { db, sqlite_file: Some(path) })
    }

    /// A fresh PostgreSQL schema named after `test`, or `None` (with a printed reason) when
    /// `QUIVER_TEST_POSTGRES_URL` is not set.
    pub async fn postgres(test: &str) -> Result<Option<TestDb>> {
        let Some(url) = env_url("QUIVER_TEST_POSTGRES_URL", test) else { return Ok(None) };
        let schema = identifier(test);
        let admin = Db::connect_with(&url, PoolOptions::default().max_connections(1)).await?;
        admin.execute_raw(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"), []).await?;
        admin.execute_raw(&format!("CREATE SCHEMA {schema}"), []).await?;
        let options = PoolOptions::default().max_connections(5).search_path(&schema);
        Ok(Some(TestDb { db: Db::connect_with(&url, options).await?, sqlite_file: None }))
    }

    /// A fresh MySQL/MariaDB database named after `test`, or `None` (with a printed reason)
    /// when `QUIVER_TEST_MYSQL_URL` is not set.
    pub async fn mysql(test: &str) -> Result<Option<TestDb>> {
        let Some(url) = env_url("QUIVER_TEST_MYSQL_URL", test) else { return Ok(None) };
        let database = identifier(test);
        let admin = Db::connect_with(&url, PoolOptions::default().max_connections(1)).await?;
        admin.execute_raw(&format!("DROP DATABASE IF EXISTS {database}"), []).await?;
        admin.execute_raw(&format!("CREATE DATABASE {database} CHARACTER SET utf8mb4"), []).await?;
        let base = match url.rfind('/') {
            Some(i) if i > "mysql://".len() => &url[..i],
            _ => url.as_str(),
        };
        let url = format!("{base}/{database}");
        let db = Db::connect_with(&url, PoolOptions::default().max_connections(5)).await?;
        Ok(Some(TestDb { db, sqlite_file: None }))
    }

    /// The database handle.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

fn env_url(variable: &str, test: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("skipped {test}: {variable} is not set");
            None
        }
    }
}

/// Runs an async test body against every backend: SQLite always, PostgreSQL and MySQL when
/// `QUIVER_TEST_POSTGRES_URL` / `QUIVER_TEST_MYSQL_URL` are set. The body gets a
/// [`TestDb`] and returns `quiver_orm::Result<()>`.
///
/// ```ignore
/// quiver_orm::db_test!(counts_rows, |db| async move {
///     quiver_orm::schema::create_tables(&db, &[Post::meta()]).await?;
///     assert_eq!(Post::objects().count(&*db).await?, 0);
///     Ok(())
/// });
/// ```
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$db:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::testing::TestDb::sqlite().await.expect("SQLite test database");
                let result: $crate::Result<()> = $body.await;
                result.unwrap();
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let test = concat!(module_path!(), "::", stringify!($name));
                let Some($db) = $crate::testing::TestDb::postgres(test)
                    .await
                    .expect("PostgreSQL test database")
                else {
                    return;
                };
                let result: $crate::Result<()> = $body.await;
                result.unwrap();
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                let test = concat!(module_path!(), "::", stringify!($name));
                let Some($db) =
                    $crate::testing::TestDb::mysql(test).await.expect("MySQL test database")
                else {
                    return;
                };
                let result: $crate::Result<()> = $body.await;
                result.unwrap();
            }
        }
    };
}

/// Checks an app's migrations folder against its models and against the copies built into
/// the binary (`embedded`, as `quiver_auth::MIGRATIONS`): panics with the fix when a model
/// changed without a migration, or a file is missing from (or differs in) the embedded list.
/// With `QUIVER_WRITE_MIGRATIONS` set it writes the missing migration instead. `others` are
/// the migrations of the apps this one depends on (its foreign keys' targets).
///
/// ```no_run
/// # let models = vec![];
/// # const MIGRATIONS: &[(&str, &str)] = &[];
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
/// quiver_orm::testing::check_app_migrations("blog", &dir, &models, &[], MIGRATIONS);
/// ```
pub fn check_app_migrations(
    app: &str,
    dir: &std::path::Path,
    models: &[&'static crate::ModelMeta],
    others: &[crate::migrations::Migration],
    embedded: &[(&str, &str)],
) {
    use crate::migrations::{MakeOptions, makemigrations_for_app};
    let write = std::env::var_os("QUIVER_WRITE_MIGRATIONS").is_some();
    let options = MakeOptions { check: !write, ..MakeOptions::default() };
    let made = makemigrations_for_app(app, dir, models, others, &options)
        .unwrap_or_else(|e| panic!("the {app} migrations do not load: {e}"));
    if let Some(migration) = made.migration {
        assert!(
            write,
            "the {app} models changed without a migration ({}): run the test with QUIVER_WRITE_MIGRATIONS=1",
            migration.name
        );
        return;
    }
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| {
            // Only migration files: a project's folder may hold its apps' folders.
            let path = e.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_owned();
            (path.extension()? == "toml").then_some(name)
        })
        .collect();
    files.sort();
    let names: Vec<&str> = embedded.iter().map(|(name, _)| *name).collect();
    assert_eq!(files, names, "every file in {} must be in the embedded list", dir.display());
    for (name, text) in embedded {
        let on_disk = std::fs::read_to_string(dir.join(format!("{name}.toml"))).unwrap();
        assert_eq!(&on_disk, text, "{name} differs from the embedded copy");
    }
}
