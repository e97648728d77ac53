//! PostgreSQL through sqlx: a pool, statements prepared and cached per connection by sqlx,
//! sessions in UTC.

pub(crate) mod dialect;
pub(crate) mod features;

use std::str::FromStr;

use sea_query::Values;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::db::PoolOptions;
use crate::error::Result;
use crate::row::Row;

pub(crate) async fn connect(url: &str, options: &PoolOptions) -> Result<PgPool> {
    let mut connect = PgConnectOptions::from_str(url)?.options([("timezone", "UTC")]);
    if let Some(schema) = &options.search_path {
        connect = connect.options([("search_path", schema.as_str())]);
    }
    let pool = PgPoolOptions::new()
        .max_connections(options.max_connections)
        .min_connections(options.min_connections)
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(options.test_before_acquire)
        .connect_with(connect)
        .await?;
    Ok(pool)
}

pub(crate) async fn fetch<'c, T>(
    executor: impl sqlx::PgExecutor<'c>,
    sql: &str,
    values: Values,
    decode: &mut (dyn FnMut(&Row<'_>) -> Result<T> + Send),
) -> Result<Vec<T>> {
    let rows = sqlx::query_with(
        sql,
        crate::backend::bind::sqlx_arguments!(sqlx::postgres::PgArguments, values.0)?,
    )
    .fetch_all(executor)
    .await?;
    rows.iter().map(|row| decode(&Row::Postgres(row))).collect()
}

pub(crate) async fn execute<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    sql: &str,
    values: Values,
) -> Result<(u64, i64)> {
    if values.0.is_empty() {
        let done = sqlx::Executor::execute(executor, sql).await?;
        return Ok((done.rows_affected(), 0));
    }
    let done = sqlx::query_with(
        sql,
        crate::backend::bind::sqlx_arguments!(sqlx::postgres::PgArguments, values.0)?,
    )
    .execute(executor)
    .await?;
    Ok((done.rows_affected(), 0))
}
