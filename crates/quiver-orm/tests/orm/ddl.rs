//! The DDL written for the test models, per backend: a snapshot, so any change to the
//! generated schema shows up in review.

use quiver_orm::Backend;
use quiver_orm::migrations::ProjectState;
use quiver_orm::schema::{
    create_table_statement, dependency_order, index_statements, join_table_statements,
};

fn ddl(backend: Backend) -> String {
    let mut out = Vec::new();
    let state = ProjectState::from_models(&crate::models::all());
    for meta in dependency_order(&crate::models::all()) {
        let meta = &state.models[meta.name];
        let table = create_table_statement(backend, meta, &state).unwrap();
        out.push(match backend {
            Backend::Sqlite => table.to_string(sea_query::SqliteQueryBuilder),
            Backend::Postgres => table.to_string(sea_query::PostgresQueryBuilder),
            _ => table.to_string(sea_query::MysqlQueryBuilder),
        });
        for index in index_statements(meta) {
            out.push(match backend {
                Backend::Sqlite => index.to_string(sea_query::SqliteQueryBuilder),
                Backend::Postgres => index.to_string(sea_query::PostgresQueryBuilder),
                _ => index.to_string(sea_query::MysqlQueryBuilder),
            });
        }
        for table in join_table_statements(backend, meta, &state).unwrap() {
            out.push(match backend {
                Backend::Sqlite => table.to_string(sea_query::SqliteQueryBuilder),
                Backend::Postgres => table.to_string(sea_query::PostgresQueryBuilder),
                _ => table.to_string(sea_query::MysqlQueryBuilder),
            });
        }
    }
    out.join(";\n") + ";\n"
}

#[test]
fn sqlite_ddl() {
    insta::assert_snapshot!(ddl(Backend::Sqlite));
}

#[test]
fn postgres_ddl() {
    insta::assert_snapshot!(ddl(Backend::Postgres));
}

#[test]
fn mysql_ddl() {
    insta::assert_snapshot!(ddl(Backend::MySql));
}
