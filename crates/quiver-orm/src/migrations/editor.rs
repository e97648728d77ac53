//! The schema editor: the SQL of one operation on one backend, given the project state before
//! and after it. SQLite's limited `ALTER TABLE` goes through the table-rebuild procedure
//! (create the new table, copy the rows, drop the old one, rename), keeping data and indexes.

use sea_query::{Alias, Index, Table};

use super::operation::Operation;
use super::state::{FieldState, ModelState, ProjectState};
use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::schema::{
    column_def, column_sql_type, create_table_statement, field_index, foreign_key,
    index_statements, join_table, together_index,
};

fn model<'a>(state: &'a ProjectState, name: &str) -> Result<&'a ModelState> {
    state
        .models
        .get(name)
        .ok_or_else(|| Error::invalid(format!("the migration state has no model {name:?}")))
}

fn quote(backend: Backend, name: &str) -> String {
    match backend {
        Backend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// The SQL that applies `operation` on `backend` (`before` and `after` are the project states
/// around it).
pub fn forwards_sql(
    backend: Backend,
    operation: &Operation,
    before: &ProjectState,
    after: &ProjectState,
) -> Result<Vec<String>> {
    let q = |name: &str| quote(backend, name);
    let mut out = Vec::new();
    match operation {
        Operation::CreateModel { model: created } => {
            let created = model(after, &created.name)?;
            out.push(backend.build_schema(&create_table_statement(backend, created, after)?));
            for index in index_statements(created) {
                out.push(backend.build_schema(&index));
            }
            for m2m in &created.many_to_many {
                if let Some(table) = join_table(backend, m2m, created, after)? {
                    out.push(backend.build_schema(&table));
                }
            }
        }
        Operation::DeleteModel { name } => {
            let deleted = model(before, name)?;
            for m2m in &deleted.many_to_many {
                if let Some(table) = &m2m.table {
                    out.push(backend.build_schema(Table::drop().table(Alias::new(table.clone()))));
                }
            }
            out.push(backend.build_schema(Table::drop().table(Alias::new(deleted.table.clone()))));
        }
        Operation::RenameModel { .. } | Operation::StateOnly { .. } | Operation::RunRust { .. } => {
        }
        Operation::AlterModelTable { model: name, table } => {
            let old = &model(before, name)?.table;
            if old != table {
                out.push(backend.build_schema(
                    Table::rename().table(Alias::new(old.clone()), Alias::new(table.clone())),
                ));
            }
        }
        Operation::RunSql { sql, .. } => out.push(sql.clone()),
        Operation::RenameField { model: name, old, new } => {
            let (old_model, new_model) = (model(before, name)?, model(after, name)?);
            let old_column = &old_model.field(old).expect("checked by the state").column;
            let new_column = &new_model.field(new).expect("checked by the state").column;
            if old_column != new_column {
                out.push(format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    q(&new_model.table),
                    q(old_column),
                    q(new_column)
                ));
            }
        }
        Operation::AddField { model: name, field, one_off_default } => {
            let table = &model(after, name)?.table;
            // SQLite cannot add a unique or referencing column in place, nor drop a default
            // afterwards: those go through the rebuild, which copies the one-off value instead.
            let one_off_only = one_off_default.is_some() && field.default.is_none();
            let simple = backend != Backend::Sqlite
                || (!field.unique && field.relation.is_none() && !one_off_only);
            if !simple {
                return rebuild(
                    backend,
                    model(before, name)?,
                    model(after, name)?,
                    after,
                    Some((field, one_off_default)),
                );
            }
            let mut adding = field.clone();
            if one_off_default.is_some() {
                adding.default.clone_from(one_off_default);
            }
            let mut alter = Table::alter();
            alter.table(Alias::new(table.clone())).add_column(column_def(backend, &adding, after)?);
            out.push(backend.build_schema(&alter));
            if one_off_default.is_some() && field.default.is_none() && backend != Backend::Sqlite {
                out.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                    q(table),
                    q(&field.column)
                ));
            }
            if let Some(fk) = foreign_key(table, field, after)? {
                out.push(format!("ALTER TABLE {} ADD {}", q(table), fk_clause(backend, &fk)));
            }
            if let Some(index) = field_index(table, field) {
                out.push(backend.build_schema(&index));
            }
        }
        Operation::RemoveField { model: name, name: field_name } => {
            let old = model(before, name)?;
            let field = old.field(field_name).expect("checked by the state");
            match backend {
                Backend::Sqlite => return rebuild(backend, old, model(after, name)?, after, None),
                Backend::MySql => {
                    if field.relation.is_some() {
                        out.push(format!(
                            "ALTER TABLE {} DROP FOREIGN KEY {}",
                            q(&old.table),
                            q(&format!("{}_{}_fk", old.table, field.column))
                        ));
                    }
                    out.push(format!(
                        "ALTER TABLE {} DROP COLUMN {}",
                        q(&old.table),
                        q(&field.column)
                    ));
                }
                Backend::Postgres => {
                    out.push(format!(
                        "ALTER TABLE {} DROP COLUMN {}",
                        q(&old.table),
                        q(&field.column)
                    ));
                }
            }
        }
        Operation::AlterField { model: name, field } => {
            let (old_model, new_model) = (model(before, name)?, model(after, name)?);
            let old = old_model.field(&field.name).expect("checked by the state");
            if backend == Backend::Sqlite {
                return rebuild(backend, old_model, new_model, after, None);
            }
            out.extend(alter_field(backend, &new_model.table, old, field, before, after)?);
        }
        Operation::AlterUniqueTogether { model: name, .. }
        | Operation::AddConstraint { model: name, .. }
        | Operation::RemoveConstraint { model: name, .. }
            if backend == Backend::Sqlite =>
        {
            return rebuild(backend, model(before, name)?, model(after, name)?, after, None);
        }
        Operation::AlterUniqueTogether { model: name, unique_together } => {
            let old = model(before, name)?;
            for i in 1..=old.unique_together.len() {
                let index = format!("{}_uniq_{i}", old.table);
                out.push(match backend {
                    Backend::Postgres => {
                        format!("ALTER TABLE {} DROP CONSTRAINT {}", q(&old.table), q(&index))
                    }
                    _ => format!("ALTER TABLE {} DROP INDEX {}", q(&old.table), q(&index)),
                });
            }
            let new = model(after, name)?;
            for (i, fields) in unique_together.iter().enumerate() {
                let columns: Vec<String> = fields
                    .iter()
                    .map(|f| q(new.field(f).map_or(f.as_str(), |f| f.column.as_str())))
                    .collect();
                out.push(format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                    q(&new.table),
                    q(&format!("{}_uniq_{}", new.table, i + 1)),
                    columns.join(", ")
                ));
            }
        }
        Operation::AlterIndexTogether { model: name, index_together } => {
            let old = model(before, name)?;
            for i in 1..=old.index_together.len() {
                let mut drop = Index::drop();
                drop.name(format!("{}_idx_{i}", old.table));
                if backend != Backend::Sqlite {
                    drop.table(Alias::new(old.table.clone()));
                }
                out.push(backend.build_schema(&drop));
            }
            let new = model(after, name)?;
            for (i, fields) in index_together.iter().enumerate() {
                out.push(backend.build_schema(&together_index(new, i + 1, fields)));
            }
        }
        Operation::AddConstraint { model: name, name: constraint, sql } => {
            let table = &model(after, name)?.table;
            out.push(format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({sql})",
                q(table),
                q(constraint)
            ));
        }
        Operation::RemoveConstraint { model: name, name: constraint } => {
            let table = &model(before, name)?.table;
            // MariaDB and MySQL 8.0.19+ accept DROP CONSTRAINT for checks too.
            out.push(format!("ALTER TABLE {} DROP CONSTRAINT {}", q(table), q(constraint)));
        }
        Operation::AddManyToMany { model: name, field } => {
            let owner = model(after, name)?;
            if let Some(table) = join_table(backend, field, owner, after)? {
                out.push(backend.build_schema(&table));
            }
        }
        Operation::AlterManyToManyTable { model: name, name: field, table } => {
            let owner = model(before, name)?;
            if let Some(old) =
                owner.many_to_many.iter().find(|m| m.name == *field).and_then(|m| m.table.clone())
                && old != *table
            {
                out.push(backend.build_schema(
                    Table::rename().table(Alias::new(old), Alias::new(table.clone())),
                ));
            }
        }
        Operation::RemoveManyToMany { model: name, name: field } => {
            let owner = model(before, name)?;
            if let Some(m2m) = owner.many_to_many.iter().find(|m| m.name == *field)
                && let Some(table) = &m2m.table
            {
                out.push(backend.build_schema(Table::drop().table(Alias::new(table.clone()))));
            }
        }
    }
    Ok(out)
}

/// `CONSTRAINT name FOREIGN KEY (...) REFERENCES ...` for `ALTER TABLE ... ADD`.
fn fk_clause(backend: Backend, fk: &sea_query::ForeignKeyCreateStatement) -> String {
    let sql = backend.build_schema(fk);
    // sea-query writes `ALTER TABLE t ADD CONSTRAINT ...`: keep the constraint part.
    match sql.find("CONSTRAINT") {
        Some(i) => sql[i..].to_owned(),
        None => sql,
    }
}

/// PostgreSQL and MySQL: change one column in place.
fn alter_field(
    backend: Backend,
    table: &str,
    old: &FieldState,
    new: &FieldState,
    before: &ProjectState,
    after: &ProjectState,
) -> Result<Vec<String>> {
    let q = |name: &str| quote(backend, name);
    let mut out = Vec::new();
    if old.column != new.column {
        // The column's name changed with the field (e.g. a plain key became a ForeignKey).
        out.push(format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            q(table),
            q(&old.column),
            q(&new.column)
        ));
    }
    let fk_name = format!("{table}_{}_fk", old.column);
    if old.relation.is_some() && old.relation != new.relation {
        out.push(match backend {
            Backend::MySql => format!("ALTER TABLE {} DROP FOREIGN KEY {}", q(table), q(&fk_name)),
            _ => format!("ALTER TABLE {} DROP CONSTRAINT {}", q(table), q(&fk_name)),
        });
    }
    if let Some(index) = field_index(table, old)
        && field_index(table, new).is_none()
    {
        let _ = index;
        out.push(match backend {
            Backend::MySql => {
                format!("DROP INDEX {} ON {}", q(&format!("{table}_{}_idx", old.column)), q(table))
            }
            _ => format!("DROP INDEX {}", q(&format!("{table}_{}_idx", old.column))),
        });
    }
    if old.unique && !new.unique {
        out.push(match backend {
            Backend::MySql => format!("ALTER TABLE {} DROP INDEX {}", q(table), q(&old.column)),
            _ => format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                q(table),
                q(&format!("{table}_{}_key", old.column))
            ),
        });
    }
    let old_type = column_sql_type(backend, old, before)?;
    let new_type = column_sql_type(backend, new, after)?;
    // Made required: existing NULLs take the default first (after a type change on
    // PostgreSQL, so the default's literal fits the column).
    let backfill = match (&new.default, old.null && !new.null) {
        (Some(default), true) => Some(format!(
            "UPDATE {} SET {} = {} WHERE {} IS NULL",
            q(table),
            q(&new.column),
            sql_literal(default),
            q(&new.column)
        )),
        _ => None,
    };
    match backend {
        Backend::MySql => {
            out.extend(backfill);
            let mut definition = format!("{} {}", q(&new.column), new_type);
            if !new.null {
                definition.push_str(" NOT NULL");
            }
            if let Some(default) = &new.default {
                definition.push_str(&format!(" DEFAULT {}", sql_literal(default)));
            }
            if new.auto_increment {
                definition.push_str(" AUTO_INCREMENT");
            }
            out.push(format!("ALTER TABLE {} MODIFY COLUMN {definition}", q(table)));
        }
        _ => {
            if old_type != new_type {
                // Only a change of kind needs USING; a length change must not use an explicit
                // cast, which truncates text silently (a too-long value should fail instead).
                let base = |t: &str| t.split('(').next().unwrap_or(t).trim().to_owned();
                let using = if base(&old_type) == base(&new_type) {
                    String::new()
                } else {
                    format!(" USING {}::{new_type}", q(&new.column))
                };
                out.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} TYPE {new_type}{using}",
                    q(table),
                    q(&new.column)
                ));
            }
            out.extend(backfill);
            if old.null != new.null {
                let change = if new.null { "DROP NOT NULL" } else { "SET NOT NULL" };
                out.push(format!(
                    "ALTER TABLE {} ALTER COLUMN {} {change}",
                    q(table),
                    q(&new.column)
                ));
            }
            if old.default != new.default {
                out.push(match &new.default {
                    Some(default) => format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}",
                        q(table),
                        q(&new.column),
                        sql_literal(default)
                    ),
                    None => format!(
                        "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT",
                        q(table),
                        q(&new.column)
                    ),
                });
            }
        }
    }
    if new.unique && !old.unique {
        let name = match backend {
            Backend::MySql => new.column.clone(),
            _ => format!("{table}_{}_key", new.column),
        };
        out.push(format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
            q(table),
            q(&name),
            q(&new.column)
        ));
    }
    if new.relation.is_some()
        && old.relation != new.relation
        && let Some(fk) = foreign_key(table, new, after)?
    {
        out.push(format!("ALTER TABLE {} ADD {}", q(table), fk_clause(backend, &fk)));
    }
    if field_index(table, old).is_none()
        && let Some(index) = field_index(table, new)
    {
        out.push(backend.build_schema(&index));
    }
    Ok(out)
}

/// A JSON default as an SQL literal for DDL written by hand (numbers, booleans, quoted text).
fn sql_literal(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => format!("'{}'", s.replace('\'', "''")),
        other => format!("'{}'", other.to_string().replace('\'', "''")),
    }
}

/// SQLite's table rebuild: a new table with the new definition, the rows copied (new columns
/// get their default or the one-off default), the old table dropped, the new one renamed,
/// indexes recreated. Foreign key checks are off during migrations on SQLite (the runner
/// turns them off before the transaction and checks the result afterwards).
fn rebuild(
    backend: Backend,
    old: &ModelState,
    new: &ModelState,
    after: &ProjectState,
    added: Option<(&FieldState, &Option<serde_json::Value>)>,
) -> Result<Vec<String>> {
    let q = |name: &str| quote(backend, name);
    let temporary = format!("{}__new", new.table);
    let mut renamed = new.clone();
    renamed.table.clone_from(&temporary);
    let mut out = vec![
        format!("DROP TABLE IF EXISTS {}", q(&temporary)),
        backend.build_schema(&create_table_statement(backend, &renamed, after)?),
    ];
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for field in &new.fields {
        // The same field before: same column, or a renamed one (renames run as their own op).
        match old.fields.iter().find(|f| f.name == field.name) {
            Some(previous) => {
                columns.push(q(&field.column));
                values.push(if previous.null && !field.null {
                    // Made required: NULLs become the default.
                    match &field.default {
                        Some(default) => {
                            format!("COALESCE({}, {})", q(&previous.column), sql_literal(default))
                        }
                        None => q(&previous.column),
                    }
                } else {
                    q(&previous.column)
                });
            }
            None => {
                let default = match added {
                    Some((added, one_off)) if added.name == field.name => {
                        one_off.clone().or(field.default.clone())
                    }
                    _ => field.default.clone(),
                };
                if let Some(default) = default {
                    columns.push(q(&field.column));
                    values.push(sql_literal(&default));
                }
            }
        }
    }
    out.push(format!(
        "INSERT INTO {} ({}) SELECT {} FROM {}",
        q(&temporary),
        columns.join(", "),
        values.join(", "),
        q(&old.table)
    ));
    out.push(format!("DROP TABLE {}", q(&old.table)));
    out.push(format!("ALTER TABLE {} RENAME TO {}", q(&temporary), q(&new.table)));
    for index in index_statements(new) {
        out.push(backend.build_schema(&index));
    }
    Ok(out)
}
