//! The ORM test suite: every test body runs on SQLite, and on PostgreSQL and MariaDB/MySQL
//! when `QUIVER_TEST_POSTGRES_URL` / `QUIVER_TEST_MYSQL_URL` are set (`.ci/run` sets them).

mod models;

mod basics;
mod ddl;
mod edges;
mod evolve;
mod lookups;
mod migrate;
mod options;
mod queries;
mod relations;
mod safety;
mod transactions;
mod writes;

use quiver_orm::testing::TestDb;

/// Creates every test model's table in `db`.
pub async fn setup(db: &TestDb) -> quiver_orm::Result<()> {
    quiver_orm::schema::create_tables(db, &models::all()).await
}
