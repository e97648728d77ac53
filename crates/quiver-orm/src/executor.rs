//! `Executor`: what a query runs on — a [`Db`] or a [`Transaction`].

use sea_query::Values;

use crate::backend::Backend;
use crate::db::Db;
use crate::error::Result;
use crate::row::Row;
use crate::transaction::Transaction;

/// Something queries run on: a [`Db`] (each statement on its own) or a [`Transaction`]
/// (all statements on the transaction's connection). Query methods take `&impl Executor`.
pub trait Executor: Send + Sync {
    /// Where statements go.
    #[doc(hidden)]
    fn target(&self) -> Target<'_>;

    /// The backend statements are written for.
    fn backend(&self) -> Backend {
        match self.target() {
            Target::Db(db) => db.backend(),
            Target::Tx(tx) => tx.db().backend(),
        }
    }
}

/// Where statements go.
#[doc(hidden)]
pub enum Target<'a> {
    Db(&'a Db),
    Tx(&'a Transaction),
}

impl Executor for Db {
    fn target(&self) -> Target<'_> {
        Target::Db(self)
    }
}

impl Executor for Transaction {
    fn target(&self) -> Target<'_> {
        Target::Tx(self)
    }
}

impl<E: Executor> Executor for &E {
    fn target(&self) -> Target<'_> {
        (**self).target()
    }
}

/// A statement rendered for one backend.
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) values: Values,
    /// Goes to the writer (SQLite) even when it returns rows.
    pub(crate) write: bool,
}

impl Statement {
    pub(crate) fn new<S: sea_query::QueryStatementBuilder>(
        backend: Backend,
        statement: &S,
        write: bool,
    ) -> Self {
        let (sql, values) = backend.build(statement);
        Statement { sql, values, write }
    }
}

pub(crate) async fn fetch<T: Send>(
    executor: &impl Executor,
    statement: Statement,
    mut decode: impl FnMut(&Row<'_>) -> Result<T> + Send,
) -> Result<Vec<T>> {
    match executor.target() {
        Target::Db(db) => db.fetch(statement, &mut decode).await,
        Target::Tx(tx) => tx.fetch(statement, &mut decode).await,
    }
}

/// Runs a statement; returns (rows affected, last insert id where the backend reports one).
pub(crate) async fn execute(executor: &impl Executor, statement: Statement) -> Result<(u64, i64)> {
    match executor.target() {
        Target::Db(db) => db.execute(statement).await,
        Target::Tx(tx) => tx.execute(statement).await,
    }
}
