//! The three database backends. Each has the same files: `mod.rs` (connecting, running
//! statements), `features.rs` (capability flags) and `dialect.rs` (the SQL it spells its own
//! way). Code elsewhere asks a [`Backend`] for a flag or a spelling; it never compares names.

mod bind;
pub(crate) mod mysql;
pub(crate) mod postgres;
pub(crate) mod sqlite;

use sea_query::{Expr, QueryStatementBuilder, Values};

use crate::expr::DatePart;
use crate::value::ColumnType;

/// Which database a [`crate::Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite (embedded, the default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// What a backend can do; code branches on these, not on the backend's name.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Features {
    /// `INSERT ... RETURNING` gives back generated keys.
    pub insert_returning: bool,
    /// `SELECT ... FOR UPDATE` locks rows (SQLite locks the whole database instead).
    pub select_for_update: bool,
    /// DDL runs inside transactions (migrations are atomic).
    pub transactional_ddl: bool,
    /// `NULLS FIRST/LAST` in `ORDER BY` (else emulated).
    pub nulls_order: bool,
    /// `EXPLAIN QUERY PLAN` (SQLite) rather than `EXPLAIN`.
    pub explain_query_plan: bool,
    /// The foreign key action `ON DELETE SET DEFAULT` works (InnoDB refuses such deletes).
    pub on_delete_set_default: bool,
}

impl Backend {
    /// This backend's capability flags.
    pub fn features(self) -> &'static Features {
        match self {
            Backend::Sqlite => &sqlite::features::FEATURES,
            Backend::Postgres => &postgres::features::FEATURES,
            Backend::MySql => &mysql::features::FEATURES,
        }
    }

    /// Renders a statement in this backend's SQL, values apart.
    pub(crate) fn build<S: QueryStatementBuilder>(self, statement: &S) -> (String, Values) {
        match self {
            Backend::Sqlite => statement.build_any(&sea_query::SqliteQueryBuilder),
            Backend::Postgres => statement.build_any(&sea_query::PostgresQueryBuilder),
            Backend::MySql => statement.build_any(&sea_query::MysqlQueryBuilder),
        }
    }

    /// Renders a schema statement.
    pub(crate) fn build_schema<S: sea_query::SchemaStatementBuilder>(
        self,
        statement: &S,
    ) -> String {
        match self {
            Backend::Sqlite => statement.build(sea_query::SqliteQueryBuilder),
            Backend::Postgres => statement.build(sea_query::PostgresQueryBuilder),
            Backend::MySql => statement.build(sea_query::MysqlQueryBuilder),
        }
    }

    /// `column LIKE pattern`, case-sensitive or not, with `\` as the escape character.
    pub(crate) fn like(self, column: Expr, pattern: String, case_insensitive: bool) -> Expr {
        match self {
            Backend::Sqlite => sqlite::dialect::like(column, pattern, case_insensitive),
            Backend::Postgres => postgres::dialect::like(column, pattern, case_insensitive),
            Backend::MySql => mysql::dialect::like(column, pattern, case_insensitive),
        }
    }

    /// `column` matches regular expression `pattern`.
    pub(crate) fn regex(self, column: Expr, pattern: String) -> Expr {
        match self {
            Backend::Sqlite => sqlite::dialect::regex(column, pattern),
            Backend::Postgres => postgres::dialect::regex(column, pattern),
            Backend::MySql => mysql::dialect::regex(column, pattern),
        }
    }

    /// A part of a date as an integer.
    pub(crate) fn date_part(self, column: Expr, part: DatePart) -> Expr {
        match self {
            Backend::Sqlite => sqlite::dialect::date_part(column, part),
            Backend::Postgres => postgres::dialect::date_part(column, part),
            Backend::MySql => mysql::dialect::date_part(column, part),
        }
    }

    /// Casts to a 64-bit integer / a double, for aggregates whose type differs by backend.
    pub(crate) fn cast(self, expr: Expr, target: ColumnType) -> Expr {
        let name = match (self, target) {
            (Backend::MySql, ColumnType::BigInt) => "SIGNED",
            (Backend::MySql, _) => "DOUBLE",
            (Backend::Postgres, ColumnType::BigInt) => "BIGINT",
            (Backend::Postgres, _) => "DOUBLE PRECISION",
            (Backend::Sqlite, ColumnType::BigInt) => "INTEGER",
            (Backend::Sqlite, _) => "REAL",
        };
        self.custom(&format!("CAST(? AS {name})"), [expr])
    }

    /// A custom SQL expression: each `?` in `template` takes the next expression
    /// (PostgreSQL numbers them `$1`, `$2`, ... in sea-query's templates).
    pub(crate) fn custom(self, template: &str, exprs: impl IntoIterator<Item = Expr>) -> Expr {
        let template = match self {
            Backend::Postgres => {
                let mut out = String::with_capacity(template.len() + 4);
                let mut n = 0;
                for c in template.chars() {
                    if c == '?' {
                        n += 1;
                        out.push_str(&format!("${n}"));
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            Backend::Sqlite | Backend::MySql => template.to_owned(),
        };
        Expr::cust_with_exprs(template, exprs)
    }
}

/// Escapes `%`, `_` and `\` so a user's text is matched literally by `LIKE ... ESCAPE '\'`.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
