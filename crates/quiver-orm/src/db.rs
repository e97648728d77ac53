//! `Db`: a handle on one database (its pool), chosen by URL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_query::Values;

use crate::backend::{Backend, mysql, postgres, sqlite};
use crate::error::{Error, ErrorKind, Result};
use crate::executor::Statement;
use crate::row::Row;

/// A database: its connection pool and dialect. Cheap to clone; clones share the pool.
///
/// The URL picks the backend: `sqlite://app.db` (created if missing; `sqlite::memory:` for a
/// private in-memory database), `postgres://user:pass@host/db`, `mysql://user:pass@host/db`
/// (also MariaDB).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::{Backend, Db};
///
/// let db = Db::connect("sqlite::memory:").await?;
/// assert_eq!(db.backend(), Backend::Sqlite);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Arc<DbInner>,
}

pub(crate) struct DbInner {
    pub(crate) pool: Pool,
    pub(crate) backend: Backend,
    queries: AtomicU64,
    logging: AtomicBool,
    log: Mutex<Vec<String>>,
}

/// A snapshot of a [`Db`]'s connections ([`Db::pool_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PoolStatus {
    /// Connections open (busy or idle).
    pub open: u32,
    /// Open connections not running a statement.
    pub idle: u32,
}

pub(crate) enum Pool {
    Sqlite(sqlite::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

/// Pool sizes and timeouts. The defaults suit a server on this machine's cores.
///
/// ```
/// use quiver_orm::PoolOptions;
///
/// let options = PoolOptions::default().max_connections(20);
/// assert_eq!(options.max_connections, 20);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PoolOptions {
    /// Most connections open at once (PostgreSQL, MySQL). Default 10.
    pub max_connections: u32,
    /// Connections kept open when idle. Default 0.
    pub min_connections: u32,
    /// How long a query waits for a free connection before failing. Default 30 s.
    pub acquire_timeout: Duration,
    /// SQLite reader connections (there is always one writer). Default: the CPUs the process
    /// may use, plus one.
    pub sqlite_readers: usize,
    /// PostgreSQL `search_path` for every connection (a schema per tenant or per test).
    pub search_path: Option<String>,
    /// Ping each connection before handing it out (PostgreSQL, MySQL). Off by default, as in
    /// Django (`CONN_HEALTH_CHECKS`): every statement takes a connection from the pool, so a
    /// ping would double the round trips; a dead connection fails its statement instead.
    pub test_before_acquire: bool,
}

impl Default for PoolOptions {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        PoolOptions {
            max_connections: 10,
            min_connections: 0,
            acquire_timeout: Duration::from_secs(30),
            sqlite_readers: cpus + 1,
            search_path: None,
            test_before_acquire: false,
        }
    }
}

impl PoolOptions {
    /// Sets [`PoolOptions::max_connections`].
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n;
        self
    }
    /// Sets [`PoolOptions::min_connections`].
    pub fn min_connections(mut self, n: u32) -> Self {
        self.min_connections = n;
        self
    }
    /// Sets [`PoolOptions::acquire_timeout`].
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }
    /// Sets [`PoolOptions::search_path`].
    pub fn search_path(mut self, schema: &str) -> Self {
        self.search_path = Some(schema.to_owned());
        self
    }

    /// Sets [`PoolOptions::test_before_acquire`].
    pub fn test_before_acquire(mut self, on: bool) -> Self {
        self.test_before_acquire = on;
        self
    }

    /// Sets [`PoolOptions::sqlite_readers`].
    pub fn sqlite_readers(mut self, n: usize) -> Self {
        self.sqlite_readers = n;
        self
    }
}

impl Db {
    /// Connects with default pool options.
    pub async fn connect(url: &str) -> Result<Db> {
        Db::connect_with(url, PoolOptions::default()).await
    }

    /// Connects with the given pool options.
    pub async fn connect_with(url: &str, options: PoolOptions) -> Result<Db> {
        let scheme = url.split(':').next().unwrap_or_default();
        let (pool, backend) = match scheme {
            "sqlite" => {
                let path = sqlite::parse_url(url)?;
                (
                    Pool::Sqlite(sqlite::SqlitePool::open(
                        path.as_deref(),
                        options.sqlite_readers,
                        options.acquire_timeout,
                    )?),
                    Backend::Sqlite,
                )
            }
            "postgres" | "postgresql" => {
                (Pool::Postgres(postgres::connect(url, &options).await?), Backend::Postgres)
            }
            "mysql" | "mariadb" => {
                let url = url.replacen("mariadb:", "mysql:", 1);
                (Pool::MySql(mysql::connect(&url, &options).await?), Backend::MySql)
            }
            _ => {
                return Err(Error::new(ErrorKind::Config(format!(
                    "unsupported database URL scheme {scheme:?}: use sqlite://path, postgres://... or mysql://..."
                ))));
            }
        };
        Ok(Db {
            inner: Arc::new(DbInner {
                pool,
                backend,
                queries: AtomicU64::new(0),
                logging: AtomicBool::new(false),
                log: Mutex::new(Vec::new()),
            }),
        })
    }

    /// The backend this database runs on.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The pool's connections right now, for metrics: how many are open and how many idle.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await.unwrap();
    /// let status = db.pool_status();
    /// assert_eq!((status.open, status.idle), (1, 1));
    /// # });
    /// ```
    pub fn pool_status(&self) -> PoolStatus {
        let (open, idle) = match &self.inner.pool {
            Pool::Sqlite(pool) => pool.status(),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle() as u32),
            Pool::MySql(pool) => (pool.size(), pool.num_idle() as u32),
        };
        PoolStatus { open, idle }
    }

    /// How many statements this `Db` (and its transactions) has run since it was opened.
    /// Tests use it to prove a page takes a fixed number of queries (no N+1).
    pub fn query_count(&self) -> u64 {
        self.inner.queries.load(Ordering::Relaxed)
    }

    /// Starts (or stops) keeping the SQL of every statement, for [`Db::take_logged_sql`].
    pub fn log_sql(&self, on: bool) {
        self.inner.logging.store(on, Ordering::Relaxed);
    }

    /// The SQL kept since logging started, oldest first; clears the log.
    pub fn take_logged_sql(&self) -> Vec<String> {
        std::mem::take(&mut *self.inner.log.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub(crate) fn record(&self, sql: &str) {
        self.inner.queries.fetch_add(1, Ordering::Relaxed);
        tracing::trace!(target: "quiver::orm::sql", "{sql}");
        if self.inner.logging.load(Ordering::Relaxed) {
            self.inner.log.lock().unwrap_or_else(|e| e.into_inner()).push(sql.to_owned());
        }
    }

    pub(crate) async fn fetch<T: Send>(
        &self,
        statement: Statement,
        decode: &mut (dyn FnMut(&Row<'_>) -> Result<T> + Send),
    ) -> Result<Vec<T>> {
        if let Some(tx) = self.current_transaction() {
            return tx.fetch(statement, decode).await;
        }
        self.record(&statement.sql);
        let Statement { sql, values, write } = statement;
        if let Some(pinned) = self.current_pinned() {
            let mut conn = pinned.lock().await;
            return match &mut *conn {
                PinnedConn::Postgres(conn) => {
                    postgres::fetch(&mut **conn, &sql, values, decode).await
                }
                PinnedConn::MySql(conn) => mysql::fetch(&mut **conn, &sql, values, decode).await,
            };
        }
        match &self.inner.pool {
            Pool::Sqlite(pool) if write => {
                let writer = pool.writer().await?;
                sqlite::fetch(&writer, &sql, &values.0, decode)
            }
            Pool::Sqlite(pool) => {
                pool.read(|conn| sqlite::fetch(conn, &sql, &values.0, decode)).await
            }
            Pool::Postgres(pool) => postgres::fetch(pool, &sql, values, decode).await,
            Pool::MySql(pool) => mysql::fetch(pool, &sql, values, decode).await,
        }
    }

    pub(crate) async fn execute(&self, statement: Statement) -> Result<(u64, i64)> {
        if let Some(tx) = self.current_transaction() {
            return tx.execute(statement).await;
        }
        self.record(&statement.sql);
        let Statement { sql, values, .. } = statement;
        if let Some(pinned) = self.current_pinned() {
            let mut conn = pinned.lock().await;
            return match &mut *conn {
                PinnedConn::Postgres(conn) => postgres::execute(&mut **conn, &sql, values).await,
                PinnedConn::MySql(conn) => mysql::execute(&mut **conn, &sql, values).await,
            };
        }
        match &self.inner.pool {
            Pool::Sqlite(pool) => {
                let writer = pool.writer().await?;
                sqlite::execute(&writer, &sql, &values.0)
            }
            Pool::Postgres(pool) => postgres::execute(pool, &sql, values).await,
            Pool::MySql(pool) => mysql::execute(pool, &sql, values).await,
        }
    }

    /// Runs `work` with one pooled connection kept for all its statements on this `Db`
    /// (PostgreSQL, MySQL), instead of taking one from the pool per statement — as a Django
    /// request keeps its connection. Worth it for many small sequential queries; a no-op on
    /// SQLite, inside a transaction, or when already pinned.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await?;
    /// let n = db.pinned(async { db.execute_raw("SELECT 1", []).await }).await?;
    /// # let _ = n;
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn pinned<F: std::future::Future>(&self, work: F) -> Result<F::Output> {
        if self.current_transaction().is_some() || self.current_pinned().is_some() {
            return Ok(work.await);
        }
        let conn = match &self.inner.pool {
            Pool::Sqlite(_) => return Ok(work.await),
            Pool::Postgres(pool) => PinnedConn::Postgres(pool.acquire().await?),
            Pool::MySql(pool) => PinnedConn::MySql(pool.acquire().await?),
        };
        let pinned = Pinned {
            db: Arc::downgrade(&self.inner),
            conn: Arc::new(tokio::sync::Mutex::new(conn)),
        };
        Ok(PINNED.scope(pinned, work).await)
    }

    fn current_pinned(&self) -> Option<Arc<tokio::sync::Mutex<PinnedConn>>> {
        PINNED
            .try_with(|p| {
                (std::ptr::eq(p.db.as_ptr(), Arc::as_ptr(&self.inner))).then(|| p.conn.clone())
            })
            .ok()
            .flatten()
    }

    /// Runs SQL written by hand, with `values` bound to its placeholders (`?` on SQLite and
    /// MySQL, `$1` on PostgreSQL); returns the number of rows affected. Values are never
    /// spliced into the text.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await?;
    /// db.execute_raw("CREATE TABLE t (x INTEGER)", []).await?;
    /// let n = db.execute_raw("INSERT INTO t (x) VALUES (?), (?)", [1.into(), 2.into()]).await?;
    /// assert_eq!(n, 2);
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn execute_raw(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = sea_query::Value>,
    ) -> Result<u64> {
        let statement = Statement {
            sql: sql.to_owned(),
            values: Values(values.into_iter().collect()),
            write: true,
        };
        Ok(self.execute(statement).await?.0)
    }

    /// Runs a hand-written query with bound `values` and decodes each row with `decode`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_orm::FieldType;
    ///
    /// let db = quiver_orm::Db::connect("sqlite::memory:").await?;
    /// let rows = db.fetch_raw("SELECT ? + 1", [41.into()], |row| Ok(i64::decode(row, 0)?)).await?;
    /// assert_eq!(rows, vec![42]);
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn fetch_raw<T: Send>(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = sea_query::Value>,
        mut decode: impl FnMut(&Row<'_>) -> std::result::Result<T, crate::DecodeError> + Send,
    ) -> Result<Vec<T>> {
        let statement = Statement {
            sql: sql.to_owned(),
            values: Values(values.into_iter().collect()),
            write: false,
        };
        let mut decode =
            |row: &Row<'_>| decode(row).map_err(|e| Error::decode("raw query", "?", e));
        self.fetch(statement, &mut decode).await
    }
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("backend", &self.inner.backend).finish_non_exhaustive()
    }
}

tokio::task_local! {
    /// The connection `Db::pinned` keeps for the current task.
    static PINNED: Pinned;
}

struct Pinned {
    db: std::sync::Weak<DbInner>,
    conn: Arc<tokio::sync::Mutex<PinnedConn>>,
}

enum PinnedConn {
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
}

/// Several named databases in one app (Django's `DATABASES`); `"default"` is the usual one.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::{Databases, Db};
///
/// let databases = Databases::new()
///     .with("default", Db::connect("sqlite::memory:").await?)
///     .with("analytics", Db::connect("sqlite::memory:").await?);
/// assert!(databases.get("analytics").is_some());
/// assert!(databases.default_db().is_some());
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone, Debug, Default)]
pub struct Databases {
    by_name: HashMap<String, Db>,
}

impl Databases {
    /// No databases yet.
    pub fn new() -> Self {
        Databases::default()
    }

    /// Adds (or replaces) the database called `name`.
    pub fn with(mut self, name: impl Into<String>, db: Db) -> Self {
        self.by_name.insert(name.into(), db);
        self
    }

    /// The database called `name`.
    pub fn get(&self, name: &str) -> Option<&Db> {
        self.by_name.get(name)
    }

    /// The database called `"default"`.
    pub fn default_db(&self) -> Option<&Db> {
        self.get("default")
    }
}
