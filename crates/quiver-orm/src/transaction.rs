//! Transactions: `db.atomic(|tx| async move { ... })`, nested savepoints, `on_commit` hooks.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};

use futures_util::FutureExt;

use crate::backend::{mysql, postgres, sqlite};
use crate::db::{Db, Pool};
use crate::error::{Error, ErrorKind, Result};
use crate::executor::Statement;
use crate::row::Row;

/// An open transaction. Pass it (or a reference) wherever a query takes an
/// [`crate::Executor`]; every statement then runs on the transaction's connection. Clones
/// share the transaction. It ends when its `atomic` block ends: commit if the block returned
/// `Ok`, roll back on `Err`, on a panic, or when the block's future is dropped unfinished.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::{Db, Error};
///
/// let db = Db::connect("sqlite::memory:").await?;
/// db.execute_raw("CREATE TABLE t (x INTEGER)", []).await?;
///
/// // Rolled back: the block failed.
/// let result: Result<(), Error> = db
///     .atomic(|tx| async move {
///         tx.execute_raw("INSERT INTO t (x) VALUES (1)", []).await?;
///         Err(Error::not_found("T"))
///     })
///     .await;
/// assert!(result.is_err());
///
/// // Committed, with an inner savepoint rolled back.
/// db.atomic(|tx| async move {
///     tx.execute_raw("INSERT INTO t (x) VALUES (2)", []).await?;
///     let inner: Result<(), Error> = tx
///         .atomic(|tx| async move {
///             tx.execute_raw("INSERT INTO t (x) VALUES (3)", []).await?;
///             Err(Error::not_found("T"))
///         })
///         .await;
///     assert!(inner.is_err());
///     Ok::<_, Error>(())
/// })
/// .await?;
///
/// let rows = db.fetch_raw("SELECT x FROM t", [], |row| <i64 as quiver_orm::FieldType>::decode(row, 0)).await?;
/// assert_eq!(rows, vec![2]);
/// # Ok::<(), Error>(())
/// # }).unwrap();
/// ```
#[derive(Clone)]
pub struct Transaction {
    inner: Arc<TxInner>,
}

struct TxInner {
    /// A savepoint block was dropped before it finished: its work cannot be undone alone, so
    /// the whole transaction rolls back at the end.
    poisoned: std::sync::atomic::AtomicBool,
    db: Db,
    conn: tokio::sync::Mutex<Option<TxConn>>,
    state: Mutex<TxState>,
}

#[derive(Default)]
struct TxState {
    savepoints: u32,
    /// `on_commit` hooks, one list per open level (the transaction, then each savepoint).
    hooks: Vec<Vec<Hook>>,
}

type Hook = Box<dyn FnOnce() + Send>;

enum TxConn {
    Sqlite(tokio::sync::OwnedMutexGuard<rusqlite::Connection>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    MySql(sqlx::Transaction<'static, sqlx::MySql>),
}

impl Drop for TxInner {
    fn drop(&mut self) {
        // The block's future was dropped before it finished: SQLite's writer goes back to the
        // pool, so roll back here. (sqlx transactions roll themselves back when dropped.)
        if let Some(TxConn::Sqlite(conn)) = self.conn.get_mut().take()
            && let Err(error) = conn.execute_batch("ROLLBACK")
        {
            tracing::error!(%error, "could not roll back an abandoned SQLite transaction");
        }
    }
}

tokio::task_local! {
    /// The transaction the current task is inside, so that statements sent to its `Db` (not
    /// to the `Transaction` handle) join it, as they do in Django's `atomic` blocks.
    static CURRENT: Transaction;
}

impl Db {
    /// The open transaction of the current task on this database, if any.
    pub(crate) fn current_transaction(&self) -> Option<Transaction> {
        CURRENT
            .try_with(|tx| Arc::ptr_eq(&tx.inner.db.inner, &self.inner).then(|| tx.clone()))
            .ok()
            .flatten()
    }

    /// Runs `block` in a transaction: commits when it returns `Ok`, rolls back when it returns
    /// `Err` or panics (the panic then continues). After a commit the `on_commit` hooks run.
    ///
    /// Inside the block, statements sent to this `Db` join the transaction too (as in Django),
    /// and a nested `db.atomic` is a savepoint. Tasks spawned from the block are outside it.
    /// On SQLite the transaction takes the writer connection (`BEGIN IMMEDIATE`), so writes
    /// from other tasks wait for it while reads go on.
    pub async fn atomic<F, Fut, T, E>(&self, block: F) -> std::result::Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
        E: From<Error>,
    {
        if let Some(tx) = self.current_transaction() {
            return tx.atomic(block).await;
        }
        let tx = self.begin().await?;
        let scoped = CURRENT.scope(tx.clone(), block(tx.clone()));
        let outcome = AssertUnwindSafe(scoped).catch_unwind().await;
        match outcome {
            Ok(Ok(value)) => {
                tx.commit().await?;
                Ok(value)
            }
            Ok(Err(error)) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::error!(error = %rollback, "rollback failed");
                }
                Err(error)
            }
            Err(panic) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::error!(error = %rollback, "rollback after a panic failed");
                }
                std::panic::resume_unwind(panic)
            }
        }
    }

    async fn begin(&self) -> Result<Transaction> {
        let conn = match &self.inner.pool {
            Pool::Sqlite(pool) => {
                let writer = pool.writer_owned().await?;
                self.record("BEGIN IMMEDIATE");
                writer.execute_batch("BEGIN IMMEDIATE")?;
                TxConn::Sqlite(writer)
            }
            Pool::Postgres(pool) => {
                self.record("BEGIN");
                TxConn::Postgres(pool.begin().await?)
            }
            Pool::MySql(pool) => {
                self.record("BEGIN");
                TxConn::MySql(pool.begin().await?)
            }
        };
        Ok(Transaction {
            inner: Arc::new(TxInner {
                poisoned: std::sync::atomic::AtomicBool::new(false),
                db: self.clone(),
                conn: tokio::sync::Mutex::new(Some(conn)),
                state: Mutex::new(TxState { savepoints: 0, hooks: vec![Vec::new()] }),
            }),
        })
    }
}

impl Transaction {
    /// The database this transaction runs on.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Runs `block` inside a savepoint: on `Err` or a panic only the block's work is undone
    /// and the outer transaction goes on.
    pub async fn atomic<F, Fut, T, E>(&self, block: F) -> std::result::Result<T, E>
    where
        F: FnOnce(Transaction) -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
        E: From<Error>,
    {
        let name = {
            let mut state = self.state();
            state.savepoints += 1;
            state.hooks.push(Vec::new());
            format!("quiver_sp_{}", state.savepoints)
        };
        self.run_control(&format!("SAVEPOINT {name}")).await?;
        let mut guard = SavepointGuard { tx: self, armed: true };
        let outcome = AssertUnwindSafe(block(self.clone())).catch_unwind().await;
        let keep = matches!(outcome, Ok(Ok(_)));
        let control = if keep {
            format!("RELEASE SAVEPOINT {name}")
        } else {
            format!("ROLLBACK TO SAVEPOINT {name}")
        };
        let controlled = self.run_control(&control).await;
        guard.armed = false;
        {
            let mut state = self.state();
            let hooks = state.hooks.pop().unwrap_or_default();
            if keep && let Some(parent) = state.hooks.last_mut() {
                parent.extend(hooks);
            }
        }
        match outcome {
            Ok(Ok(value)) => {
                controlled?;
                Ok(value)
            }
            Ok(Err(error)) => Err(error),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Runs `hook` after the outermost transaction commits; never if it (or the savepoint the
    /// hook was registered in) rolls back. Django's `transaction.on_commit`.
    pub fn on_commit(&self, hook: impl FnOnce() + Send + 'static) {
        if let Some(level) = self.state().hooks.last_mut() {
            level.push(Box::new(hook));
        }
    }

    /// Runs hand-written SQL inside the transaction (see [`Db::execute_raw`]).
    pub async fn execute_raw(
        &self,
        sql: &str,
        values: impl IntoIterator<Item = sea_query::Value>,
    ) -> Result<u64> {
        let values = sea_query::Values(values.into_iter().collect());
        Ok(self.execute(Statement { sql: sql.to_owned(), values, write: true }).await?.0)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, TxState> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn run_control(&self, sql: &str) -> Result<()> {
        let values = sea_query::Values(Vec::new());
        self.execute(Statement { sql: sql.to_owned(), values, write: true }).await.map(drop)
    }

    async fn commit(&self) -> Result<()> {
        if self.inner.poisoned.load(std::sync::atomic::Ordering::SeqCst) {
            self.rollback().await?;
            return Err(Error::invalid(
                "a savepoint block (tx.atomic) was cancelled before it finished, so the transaction was rolled back",
            ));
        }
        let conn = self.inner.conn.lock().await.take().ok_or_else(closed)?;
        self.inner.db.record("COMMIT");
        match conn {
            TxConn::Sqlite(conn) => {
                if let Err(error) = conn.execute_batch("COMMIT") {
                    // The commit failed (e.g. a deferred constraint): leave nothing open.
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(error.into());
                }
            }
            TxConn::Postgres(tx) => tx.commit().await?,
            TxConn::MySql(tx) => tx.commit().await?,
        }
        let hooks: Vec<Hook> =
            std::mem::take(&mut self.state().hooks).into_iter().flatten().collect();
        for hook in hooks {
            hook();
        }
        Ok(())
    }

    async fn rollback(&self) -> Result<()> {
        let Some(conn) = self.inner.conn.lock().await.take() else { return Ok(()) };
        self.inner.db.record("ROLLBACK");
        self.state().hooks.clear();
        match conn {
            TxConn::Sqlite(conn) => conn.execute_batch("ROLLBACK")?,
            TxConn::Postgres(tx) => tx.rollback().await?,
            TxConn::MySql(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    pub(crate) async fn fetch<T: Send>(
        &self,
        statement: Statement,
        decode: &mut (dyn FnMut(&Row<'_>) -> Result<T> + Send),
    ) -> Result<Vec<T>> {
        self.inner.db.record(&statement.sql);
        let Statement { sql, values, .. } = statement;
        let mut conn = self.inner.conn.lock().await;
        match conn.as_mut().ok_or_else(closed)? {
            TxConn::Sqlite(conn) => sqlite::fetch(conn, &sql, &values.0, decode),
            TxConn::Postgres(tx) => postgres::fetch(&mut **tx, &sql, values, decode).await,
            TxConn::MySql(tx) => mysql::fetch(&mut **tx, &sql, values, decode).await,
        }
    }

    pub(crate) async fn execute(&self, statement: Statement) -> Result<(u64, i64)> {
        self.inner.db.record(&statement.sql);
        let Statement { sql, values, .. } = statement;
        let mut conn = self.inner.conn.lock().await;
        match conn.as_mut().ok_or_else(closed)? {
            TxConn::Sqlite(conn) => sqlite::execute(conn, &sql, &values.0),
            TxConn::Postgres(tx) => postgres::execute(&mut **tx, &sql, values).await,
            TxConn::MySql(tx) => mysql::execute(&mut **tx, &sql, values).await,
        }
    }
}

/// Marks the transaction for rollback if a savepoint block is dropped half-way (a timeout or
/// `select!` around it): neither `RELEASE` nor `ROLLBACK TO` ran.
struct SavepointGuard<'a> {
    tx: &'a Transaction,
    armed: bool,
}

impl Drop for SavepointGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.tx.inner.poisoned.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

fn closed() -> Error {
    Error::new(ErrorKind::TransactionClosed)
}
