//! Tables from model metadata: `CREATE TABLE` (and indexes, constraints, join tables) in each
//! backend's dialect. Migrations build on the same column definitions; tests and quick
//! prototypes call [`create_tables`] directly.

use sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement, Table,
    TableCreateStatement,
};

use crate::backend::Backend;
use crate::db::Db;
use crate::error::Result;
use crate::model::{FieldMeta, ModelMeta, OnDelete};
use crate::value::ColumnType;

/// The column type as the backend spells it.
pub fn sql_type(backend: Backend, field: &FieldMeta) -> String {
    let auto = field.auto_increment;
    match (backend, field.column_type) {
        (Backend::Postgres, ColumnType::BigInt) if auto => "BIGSERIAL".into(),
        (Backend::Postgres, ColumnType::Integer) if auto => "SERIAL".into(),
        (Backend::Postgres, ColumnType::SmallInt) if auto => "SMALLSERIAL".into(),
        (Backend::Sqlite, ColumnType::BigInt | ColumnType::Integer | ColumnType::SmallInt)
            if auto =>
        {
            "INTEGER".into()
        }
        (Backend::MySql, ColumnType::Bool) => "TINYINT(1)".into(),
        (Backend::Sqlite, ColumnType::Bool) => "BOOLEAN".into(),
        (_, ColumnType::Bool) => "BOOLEAN".into(),
        (_, ColumnType::SmallInt) => "SMALLINT".into(),
        (Backend::Sqlite, ColumnType::Integer) => "INTEGER".into(),
        (_, ColumnType::Integer) => "INT".into(),
        (_, ColumnType::BigInt) => "BIGINT".into(),
        (Backend::Postgres, ColumnType::Float) => "REAL".into(),
        (_, ColumnType::Float) => "FLOAT".into(),
        (Backend::Postgres, ColumnType::Double) => "DOUBLE PRECISION".into(),
        (Backend::Sqlite, ColumnType::Double) => "REAL".into(),
        (_, ColumnType::Double) => "DOUBLE".into(),
        (_, ColumnType::Text) => match field.max_length {
            Some(n) => format!("VARCHAR({n})"),
            // Choices: as wide as the longest stored value.
            None if !field.choices.is_empty() => {
                format!(
                    "VARCHAR({})",
                    field.choices.iter().map(|(v, _)| v.len()).max().unwrap_or(1)
                )
            }
            // MySQL cannot index unbounded text without a prefix length.
            None if backend == Backend::MySql
                && (field.unique || field.index || field.primary_key) =>
            {
                "VARCHAR(255)".into()
            }
            None if backend == Backend::MySql => "LONGTEXT".into(),
            None => "TEXT".into(),
        },
        (_, ColumnType::Decimal) => {
            format!(
                "DECIMAL({}, {})",
                field.max_digits.unwrap_or(19),
                field.decimal_places.unwrap_or(4)
            )
        }
        (_, ColumnType::Date) => "DATE".into(),
        (Backend::MySql, ColumnType::Time) => "TIME(6)".into(),
        (_, ColumnType::Time) => "TIME".into(),
        (Backend::MySql, ColumnType::DateTime | ColumnType::TimestampTz) => "DATETIME(6)".into(),
        (Backend::Postgres, ColumnType::DateTime) => "TIMESTAMP".into(),
        (Backend::Postgres, ColumnType::TimestampTz) => "TIMESTAMPTZ".into(),
        (Backend::Sqlite, ColumnType::DateTime | ColumnType::TimestampTz) => "DATETIME".into(),
        (Backend::Postgres, ColumnType::Uuid) => "UUID".into(),
        (Backend::MySql, ColumnType::Uuid) => "BINARY(16)".into(),
        (Backend::Sqlite, ColumnType::Uuid) => "BLOB".into(),
        (Backend::Postgres, ColumnType::Json) => "JSONB".into(),
        (Backend::MySql, ColumnType::Json) => "JSON".into(),
        (Backend::Sqlite, ColumnType::Json) => "TEXT".into(),
        (Backend::Postgres, ColumnType::Bytes) => "BYTEA".into(),
        (Backend::MySql, ColumnType::Bytes) => "LONGBLOB".into(),
        (Backend::Sqlite, ColumnType::Bytes) => "BLOB".into(),
    }
}

fn on_delete(action: OnDelete) -> ForeignKeyAction {
    match action {
        OnDelete::Cascade => ForeignKeyAction::Cascade,
        OnDelete::Protect | OnDelete::Restrict => ForeignKeyAction::Restrict,
        OnDelete::SetNull => ForeignKeyAction::SetNull,
        OnDelete::SetDefault => ForeignKeyAction::SetDefault,
        OnDelete::DoNothing => ForeignKeyAction::NoAction,
    }
}

/// One column's definition.
pub fn column_def(backend: Backend, field: &FieldMeta) -> ColumnDef {
    let mut column = ColumnDef::new(Alias::new(field.column));
    let sql = match field.relation {
        // A foreign key column has the type of the key it points at (minus auto-increment).
        Some(relation) => {
            let target = (relation.model)().pk_field();
            let key = FieldMeta {
                column_type: target.column_type,
                // Keys are indexed: MySQL needs bounded text for that.
                unique: true,
                max_length: target.max_length,
                max_digits: target.max_digits,
                decimal_places: target.decimal_places,
                ..FieldMeta::EMPTY
            };
            sql_type(backend, &key)
        }
        None => sql_type(backend, field),
    };
    column.custom(Alias::new(sql));
    if field.primary_key {
        column.primary_key();
        if field.auto_increment && backend != Backend::Postgres {
            column.auto_increment();
        }
    }
    if !field.nullable {
        column.not_null();
    }
    if field.unique && !field.primary_key {
        column.unique_key();
    }
    if let Some(default) = field.default.filter(|_| field.db_default) {
        column.default(default());
    }
    column
}

/// `CREATE TABLE` for one model (without its indexes; see [`index_statements`]).
pub fn create_table_statement(backend: Backend, meta: &ModelMeta) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(meta.table).if_not_exists();
    for field in meta.fields {
        table.col(column_def(backend, field));
        if let Some(relation) = field.relation {
            let target = (relation.model)();
            table.foreign_key(
                ForeignKey::create()
                    .name(format!("{}_{}_fk", meta.table, field.column))
                    .from(meta.table, field.column)
                    .to(target.table, target.pk_field().column)
                    .on_delete(on_delete(relation.on_delete)),
            );
        }
    }
    for (i, fields) in meta.unique_together.iter().enumerate() {
        let mut index = Index::create();
        index.name(format!("{}_uniq_{}", meta.table, i + 1)).unique();
        for name in *fields {
            index.col(column_of(meta, name));
        }
        table.index(&mut index);
    }
    for (name, sql) in meta.checks {
        table.check((Alias::new(*name), sea_query::Expr::cust(*sql)));
    }
    if backend == Backend::MySql {
        // Binary collation: `=` and `UNIQUE` are case-sensitive as on SQLite and PostgreSQL.
        table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
    }
    table
}

fn column_of(meta: &ModelMeta, name: &str) -> Alias {
    Alias::new(meta.field(name).map_or(name, |f| f.column))
}

/// `CREATE INDEX` for fields marked `index` (and foreign keys) and for `index_together`.
pub fn index_statements(meta: &ModelMeta) -> Vec<IndexCreateStatement> {
    let mut out = Vec::new();
    for field in meta.fields {
        if (field.index || field.relation.is_some()) && !field.unique && !field.primary_key {
            let mut index = Index::create();
            index
                .name(format!("{}_{}_idx", meta.table, field.column))
                .table(meta.table)
                .col(Alias::new(field.column));
            out.push(index);
        }
    }
    for (i, fields) in meta.index_together.iter().enumerate() {
        let mut index = Index::create();
        index.name(format!("{}_idx_{}", meta.table, i + 1)).table(meta.table);
        for name in *fields {
            index.col(column_of(meta, name));
        }
        out.push(index);
    }
    out
}

/// The automatic join tables of a model's many-to-many fields.
pub fn join_table_statements(backend: Backend, meta: &ModelMeta) -> Vec<TableCreateStatement> {
    let mut out = Vec::new();
    for m2m in meta.many_to_many {
        if m2m.through.is_some() {
            continue;
        }
        let (owner, target) = ((m2m.owner)(), (m2m.target)());
        // Typed like the keys they hold (column_def reads the target of a relation).
        let key = |column: &'static str, model: fn() -> &'static ModelMeta| FieldMeta {
            name: column,
            column,
            column_type: model().pk_field().column_type,
            relation: Some(crate::model::RelationMeta {
                model,
                on_delete: OnDelete::Cascade,
                one_to_one: false,
                related_name: "",
            }),
            ..FieldMeta::EMPTY
        };
        let mut table = Table::create();
        table.table(m2m.table).if_not_exists();
        let id = FieldMeta {
            name: "id",
            column: "id",
            column_type: ColumnType::BigInt,
            nullable: false,
            primary_key: true,
            auto_increment: true,
            ..FieldMeta::EMPTY
        };
        table.col(column_def(backend, &id));
        table.col(column_def(backend, &key(m2m.owner_column, m2m.owner)));
        table.col(column_def(backend, &key(m2m.target_column, m2m.target)));
        for (column, model) in [(m2m.owner_column, owner), (m2m.target_column, target)] {
            table.foreign_key(
                ForeignKey::create()
                    .name(format!("{}_{}_fk", m2m.table, column))
                    .from(m2m.table, column)
                    .to(model.table, model.pk_field().column)
                    .on_delete(ForeignKeyAction::Cascade),
            );
        }
        let mut unique = Index::create();
        unique
            .name(format!("{}_uniq", m2m.table))
            .unique()
            .col(m2m.owner_column)
            .col(m2m.target_column);
        table.index(&mut unique);
        if backend == Backend::MySql {
            // Binary collation: `=` and `UNIQUE` are case-sensitive as on SQLite and PostgreSQL.
            table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
        }
        out.push(table);
    }
    out
}

/// Orders models so that each comes after the models its foreign keys point at.
pub fn dependency_order(metas: &[&'static ModelMeta]) -> Vec<&'static ModelMeta> {
    let mut ordered: Vec<&'static ModelMeta> = Vec::new();
    let mut pending: Vec<&'static ModelMeta> = metas.to_vec();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|meta| {
            let ready = meta.fields.iter().filter_map(|f| f.relation).all(|r| {
                let target = (r.model)();
                target.table == meta.table
                    || ordered.iter().any(|m| m.table == target.table)
                    || !metas.iter().any(|m| m.table == target.table)
            });
            if ready {
                ordered.push(meta);
            }
            !ready
        });
        if pending.len() == before {
            // A cycle: keep declaration order for the rest.
            ordered.append(&mut pending);
        }
    }
    ordered
}

/// Creates the tables (if missing), indexes and join tables of `models`, in dependency
/// order, in one transaction where the backend allows DDL in transactions.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Note {
///     pub id: Auto<i64>,
///     pub text: String,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Note::meta()]).await?;
/// assert_eq!(Note::objects().count(&db).await?, 0);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub async fn create_tables(db: &Db, models: &[&'static ModelMeta]) -> Result<()> {
    let backend = db.backend();
    let mut statements = Vec::new();
    let ordered = dependency_order(models);
    for meta in &ordered {
        statements.push(backend.build_schema(&create_table_statement(backend, meta)));
    }
    for meta in &ordered {
        for index in index_statements(meta) {
            statements.push(backend.build_schema(&index));
        }
        for table in join_table_statements(backend, meta) {
            statements.push(backend.build_schema(&table));
        }
    }
    if backend.features().transactional_ddl {
        db.atomic(|tx| async move {
            for sql in &statements {
                tx.execute_raw(sql, []).await?;
            }
            Ok::<_, crate::Error>(())
        })
        .await
    } else {
        for sql in &statements {
            db.execute_raw(sql, []).await?;
        }
        Ok(())
    }
}

/// Drops the tables of `models` (and their join tables) if they exist, dependents first.
pub async fn drop_tables(db: &Db, models: &[&'static ModelMeta]) -> Result<()> {
    let backend = db.backend();
    let mut ordered = dependency_order(models);
    ordered.reverse();
    for meta in &ordered {
        for m2m in meta.many_to_many.iter().filter(|m| m.through.is_none()) {
            db.execute_raw(&backend.build_schema(Table::drop().table(m2m.table).if_exists()), [])
                .await?;
        }
    }
    for meta in ordered {
        db.execute_raw(&backend.build_schema(Table::drop().table(meta.table).if_exists()), [])
            .await?;
    }
    Ok(())
}
