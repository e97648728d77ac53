//! Tables from model metadata: `CREATE TABLE` (and indexes, constraints, join tables) in each
//! backend's dialect. Migrations build on the same column definitions; tests and quick
//! prototypes call [`create_tables`] directly.

use sea_query::{
    Alias, ColumnDef, ForeignKey, ForeignKeyAction, Index, IndexCreateStatement, Table,
    TableCreateStatement,
};

use crate::backend::Backend;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::migrations::json_to_value;
use crate::migrations::{FieldState, ManyToManyState, ModelState, ProjectState, RelationState};
use crate::model::{ModelMeta, OnDelete};
use crate::value::ColumnType;

/// The column type as the backend spells it.
pub fn sql_type(backend: Backend, field: &FieldState) -> String {
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
                format!("VARCHAR({})", field.choices.iter().map(String::len).max().unwrap_or(1))
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

pub(crate) fn on_delete(action: OnDelete) -> ForeignKeyAction {
    match action {
        OnDelete::Cascade => ForeignKeyAction::Cascade,
        OnDelete::Protect | OnDelete::Restrict => ForeignKeyAction::Restrict,
        OnDelete::SetNull => ForeignKeyAction::SetNull,
        OnDelete::SetDefault => ForeignKeyAction::SetDefault,
        OnDelete::DoNothing => ForeignKeyAction::NoAction,
    }
}

/// The primary key of the model `name` in `state`.
fn target_key<'a>(state: &'a ProjectState, name: &str) -> Result<(&'a ModelState, &'a FieldState)> {
    let model = state.models.get(name).ok_or_else(|| {
        Error::invalid(format!("a relation points at {name:?}, which is not a known model"))
    })?;
    let key = model
        .fields
        .iter()
        .find(|f| f.primary_key)
        .ok_or_else(|| Error::invalid(format!("model {name} has no primary key")))?;
    Ok((model, key))
}

/// The SQL type of a column, foreign keys typed like the key they point at.
pub fn column_sql_type(
    backend: Backend,
    field: &FieldState,
    state: &ProjectState,
) -> Result<String> {
    Ok(match &field.relation {
        Some(relation) => {
            let (_, key) = target_key(state, &relation.to)?;
            let key = FieldState {
                auto_increment: false,
                primary_key: false,
                // Keys are indexed: MySQL needs bounded text for that.
                unique: true,
                relation: None,
                ..key.clone()
            };
            sql_type(backend, &key)
        }
        None => sql_type(backend, field),
    })
}

/// One column's definition.
pub fn column_def(backend: Backend, field: &FieldState, state: &ProjectState) -> Result<ColumnDef> {
    let mut column = ColumnDef::new(Alias::new(field.column.clone()));
    column.custom(Alias::new(column_sql_type(backend, field, state)?));
    if field.primary_key {
        column.primary_key();
        if field.auto_increment && backend != Backend::Postgres {
            column.auto_increment();
        }
    }
    if !field.null {
        column.not_null();
    }
    if field.unique && !field.primary_key {
        column.unique_key();
    }
    if let Some(default) = &field.default {
        column.default(json_to_value(default, field.column_type));
    }
    Ok(column)
}

/// The `FOREIGN KEY` clause of a relation field.
pub(crate) fn foreign_key(
    table: &str,
    field: &FieldState,
    state: &ProjectState,
) -> Result<Option<sea_query::ForeignKeyCreateStatement>> {
    let Some(relation) = &field.relation else { return Ok(None) };
    let (target, key) = target_key(state, &relation.to)?;
    Ok(Some(
        ForeignKey::create()
            .name(format!("{table}_{}_fk", field.column))
            .from(Alias::new(table), Alias::new(field.column.clone()))
            .to(Alias::new(target.table.clone()), Alias::new(key.column.clone()))
            .on_delete(on_delete(relation.on_delete))
            .to_owned(),
    ))
}

/// `CREATE TABLE` for one model (without its indexes; see [`index_statements`]).
pub fn create_table_statement(
    backend: Backend,
    model: &ModelState,
    state: &ProjectState,
) -> Result<TableCreateStatement> {
    let mut table = Table::create();
    table.table(Alias::new(model.table.clone())).if_not_exists();
    for field in &model.fields {
        table.col(column_def(backend, field, state)?);
        if let Some(mut fk) = foreign_key(&model.table, field, state)? {
            table.foreign_key(&mut fk);
        }
    }
    for (i, fields) in model.unique_together.iter().enumerate() {
        let mut index = Index::create();
        index.name(format!("{}_uniq_{}", model.table, i + 1)).unique();
        for name in fields {
            index.col(column_of(model, name));
        }
        table.index(&mut index);
    }
    for check in &model.checks {
        table.check((Alias::new(check.name.clone()), sea_query::Expr::cust(check.sql.clone())));
    }
    if backend == Backend::MySql {
        // Binary collation: `=` and `UNIQUE` are case-sensitive as on SQLite and PostgreSQL.
        table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
    }
    Ok(table)
}

fn column_of(model: &ModelState, name: &str) -> Alias {
    Alias::new(model.field(name).map_or(name, |f| f.column.as_str()))
}

/// The index a single field gets (`index`, or a foreign key), if any.
pub(crate) fn field_index(table: &str, field: &FieldState) -> Option<IndexCreateStatement> {
    if (field.index || field.relation.is_some()) && !field.unique && !field.primary_key {
        let mut index = Index::create();
        index
            .name(format!("{table}_{}_idx", field.column))
            .table(Alias::new(table))
            .col(Alias::new(field.column.clone()));
        Some(index)
    } else {
        None
    }
}

/// `CREATE INDEX` for `index_together` group `i` (1-based).
pub(crate) fn together_index(
    model: &ModelState,
    i: usize,
    fields: &[String],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(format!("{}_idx_{i}", model.table)).table(Alias::new(model.table.clone()));
    for name in fields {
        index.col(column_of(model, name));
    }
    index
}

/// `CREATE INDEX` for fields marked `index` (and foreign keys) and for `index_together`.
pub fn index_statements(model: &ModelState) -> Vec<IndexCreateStatement> {
    let mut out: Vec<_> =
        model.fields.iter().filter_map(|f| field_index(&model.table, f)).collect();
    for (i, fields) in model.index_together.iter().enumerate() {
        out.push(together_index(model, i + 1, fields));
    }
    out
}

/// The join table of one automatic many-to-many field.
pub(crate) fn join_table(
    backend: Backend,
    m2m: &ManyToManyState,
    owner: &ModelState,
    state: &ProjectState,
) -> Result<Option<TableCreateStatement>> {
    let Some(name) = &m2m.table else { return Ok(None) };
    let mut table = Table::create();
    table.table(Alias::new(name.clone())).if_not_exists();
    let id = FieldState {
        name: "id".into(),
        column: "id".into(),
        column_type: ColumnType::BigInt,
        null: false,
        primary_key: true,
        auto_increment: true,
        unique: false,
        index: false,
        max_length: None,
        max_digits: None,
        decimal_places: None,
        default: None,
        choices: Vec::new(),
        relation: None,
        renamed_from: None,
    };
    table.col(column_def(backend, &id, state)?);
    for (column, to) in [(&m2m.owner_column, &owner.name), (&m2m.target_column, &m2m.to)] {
        let key = FieldState {
            name: column.clone(),
            column: column.clone(),
            primary_key: false,
            auto_increment: false,
            relation: Some(RelationState {
                to: to.clone(),
                on_delete: OnDelete::Cascade,
                one_to_one: false,
            }),
            ..id.clone()
        };
        table.col(column_def(backend, &key, state)?);
        let (target, target_key) = target_key(state, to)?;
        table.foreign_key(
            ForeignKey::create()
                .name(format!("{name}_{column}_fk"))
                .from(Alias::new(name.clone()), Alias::new(column.clone()))
                .to(Alias::new(target.table.clone()), Alias::new(target_key.column.clone()))
                .on_delete(ForeignKeyAction::Cascade),
        );
    }
    let mut unique = Index::create();
    unique
        .name(format!("{name}_uniq"))
        .unique()
        .col(Alias::new(m2m.owner_column.clone()))
        .col(Alias::new(m2m.target_column.clone()));
    table.index(&mut unique);
    if backend == Backend::MySql {
        table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
    }
    Ok(Some(table))
}

/// The automatic join tables of a model's many-to-many fields.
pub fn join_table_statements(
    backend: Backend,
    model: &ModelState,
    state: &ProjectState,
) -> Result<Vec<TableCreateStatement>> {
    let mut out = Vec::new();
    for m2m in &model.many_to_many {
        if let Some(table) = join_table(backend, m2m, model, state)? {
            out.push(table);
        }
    }
    Ok(out)
}

/// The state of `models` plus every model they point at (for key types).
fn state_with_targets(models: &[&'static ModelMeta]) -> ProjectState {
    let mut all: Vec<&'static ModelMeta> = Vec::new();
    let mut queue: Vec<&'static ModelMeta> = models.to_vec();
    while let Some(meta) = queue.pop() {
        if all.iter().any(|m| std::ptr::eq(*m, meta)) {
            continue;
        }
        all.push(meta);
        queue.extend(meta.fields.iter().filter_map(|f| f.relation.map(|r| (r.model)())));
        queue.extend(meta.many_to_many.iter().map(|m| (m.target)()));
    }
    ProjectState::from_models(&all)
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
    let state = state_with_targets(models);
    let mut statements = Vec::new();
    let ordered = dependency_order(models);
    for meta in &ordered {
        let model = &state.models[meta.name];
        statements.push(backend.build_schema(&create_table_statement(backend, model, &state)?));
    }
    for meta in &ordered {
        let model = &state.models[meta.name];
        for index in index_statements(model) {
            statements.push(backend.build_schema(&index));
        }
        for table in join_table_statements(backend, model, &state)? {
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
