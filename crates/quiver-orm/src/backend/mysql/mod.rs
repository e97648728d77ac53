//! MySQL and MariaDB through sqlx: a pool, sessions at UTC (`time_zone = '+00:00'`),
//! strict SQL mode so bad values fail instead of being truncated.

pub(crate) mod dialect;
pub(crate) mod features;

use std::str::FromStr;

use sea_query::Values;
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};

use crate::db::PoolOptions;
use crate::error::Result;
use crate::row::Row;

pub(crate) async fn connect(url: &str, options: &PoolOptions) -> Result<MySqlPool> {
    let connect = MySqlConnectOptions::from_str(url)?
        .timezone(Some("+00:00".to_owned()))
        .pipes_as_concat(false);
    let pool = MySqlPoolOptions::new()
        .max_connections(options.max_connections)
        .min_connections(options.min_connections)
        .acquire_timeout(options.acquire_timeout)
        .test_before_acquire(options.test_before_acquire)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(
                    &mut *conn,
                    "SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
                )
                .await?;
                Ok(())
            })
        })
        .connect_with(connect)
        .await?;
    Ok(pool)
}

pub(crate) async fn fetch<'c, T>(
    executor: impl sqlx::MySqlExecutor<'c>,
    sql: &str,
    values: Values,
    decode: &mut (dyn FnMut(&Row<'_>) -> Result<T> + Send),
) -> Result<Vec<T>> {
    let rows = sqlx::query_with(
        sql,
        crate::backend::bind::sqlx_arguments!(sqlx::mysql::MySqlArguments, values.0)?,
    )
    .fetch_all(executor)
    .await?;
    rows.iter().map(|row| decode(&Row::MySql(row))).collect()
}

pub(crate) async fn execute<'c>(
    executor: impl sqlx::MySqlExecutor<'c>,
    sql: &str,
    values: Values,
) -> Result<(u64, i64)> {
    if values.0.is_empty() {
        let done = sqlx::Executor::execute(executor, sql).await?;
        return Ok((done.rows_affected(), done.last_insert_id() as i64));
    }
    let done = sqlx::query_with(
        sql,
        crate::backend::bind::sqlx_arguments!(sqlx::mysql::MySqlArguments, values.0)?,
    )
    .execute(executor)
    .await?;
    Ok((done.rows_affected(), done.last_insert_id() as i64))
}
