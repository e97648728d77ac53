//! Migration operations: each changes the project state and describes itself. Applying them to
//! a database (and reversing them) builds on the same data.

use serde::{Deserialize, Serialize};

use super::state::{FieldState, ManyToManyState, ModelState, ProjectState};
use crate::error::{Error, Result};

/// One step of a migration. Stored in migration files as a TOML table tagged by `op`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Operation {
    /// Creates a table.
    CreateModel {
        /// The whole model.
        model: ModelState,
    },
    /// Drops a table.
    DeleteModel {
        /// The model's name.
        name: String,
    },
    /// Renames a model (and its table when the table followed the name).
    RenameModel {
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// Renames a model's table.
    AlterModelTable {
        /// The model's name.
        model: String,
        /// The new table.
        table: String,
    },
    /// Adds a column.
    AddField {
        /// The model's name.
        model: String,
        /// The new field.
        field: FieldState,
        /// A value for the rows that exist, when the field has no default of its own.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        one_off_default: Option<serde_json::Value>,
    },
    /// Drops a column.
    RemoveField {
        /// The model's name.
        model: String,
        /// The field's name.
        name: String,
    },
    /// Changes a column's type, nullability, default, length, uniqueness, index or relation.
    AlterField {
        /// The model's name.
        model: String,
        /// The field as it becomes.
        field: FieldState,
    },
    /// Renames a field (and its column when the column followed the name).
    RenameField {
        /// The model's name.
        model: String,
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// Replaces the composite unique constraints.
    AlterUniqueTogether {
        /// The model's name.
        model: String,
        /// The groups of field names.
        unique_together: Vec<Vec<String>>,
    },
    /// Replaces the composite indexes.
    AlterIndexTogether {
        /// The model's name.
        model: String,
        /// The groups of field names.
        index_together: Vec<Vec<String>>,
    },
    /// Adds a check constraint.
    AddConstraint {
        /// The model's name.
        model: String,
        /// The constraint's name.
        name: String,
        /// Its SQL expression.
        sql: String,
    },
    /// Drops a check constraint.
    RemoveConstraint {
        /// The model's name.
        model: String,
        /// The constraint's name.
        name: String,
    },
    /// Adds a many-to-many field (its join table).
    AddManyToMany {
        /// The model's name.
        model: String,
        /// The field.
        field: ManyToManyState,
    },
    /// Renames the join table of a many-to-many field (its owner's table was renamed).
    AlterManyToManyTable {
        /// The model's name.
        model: String,
        /// The field's name.
        name: String,
        /// The new join table.
        table: String,
    },
    /// Removes a many-to-many field (drops its join table).
    RemoveManyToMany {
        /// The model's name.
        model: String,
        /// The field's name.
        name: String,
    },
    /// Runs SQL written by hand, with the SQL that undoes it (none: irreversible).
    RunSql {
        /// Forwards.
        sql: String,
        /// Backwards.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reverse_sql: Option<String>,
    },
    /// Runs a Rust function registered under `name` (a data migration), with its reverse.
    RunRust {
        /// The registered forwards function.
        name: String,
        /// The registered backwards function (none: irreversible).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reverse: Option<String>,
    },
    /// Changes only the recorded state (the database already matches), e.g. after moving a
    /// table by hand.
    StateOnly {
        /// The operations applied to the state only.
        operations: Vec<Operation>,
    },
}

/// The value a re-added NOT NULL column without a default gets in existing rows.
fn zero_value(field: &FieldState) -> serde_json::Value {
    use crate::value::ColumnType as C;
    match field.column_type {
        C::Bool => serde_json::Value::Bool(false),
        C::SmallInt | C::Integer | C::BigInt | C::Float | C::Double => serde_json::json!(0),
        C::Decimal => serde_json::json!("0"),
        C::Date => serde_json::json!("1970-01-01"),
        C::Time => serde_json::json!("00:00:00"),
        C::DateTime => serde_json::json!("1970-01-01 00:00:00"),
        C::TimestampTz => serde_json::json!("1970-01-01T00:00:00+00:00"),
        C::Uuid => serde_json::json!("00000000-0000-0000-0000-000000000000"),
        C::Json => serde_json::json!({}),
        C::Text | C::Bytes => serde_json::json!(""),
    }
}

fn model_mut<'a>(state: &'a mut ProjectState, name: &str) -> Result<&'a mut ModelState> {
    state
        .models
        .get_mut(name)
        .ok_or_else(|| Error::invalid(format!("the migration state has no model {name:?}")))
}

fn field_index(model: &ModelState, name: &str) -> Result<usize> {
    model.fields.iter().position(|f| f.name == name).ok_or_else(|| {
        Error::invalid(format!("the migration state has no field {}.{name}", model.name))
    })
}

impl Operation {
    /// Applies the operation to `state`.
    pub fn state_forwards(&self, state: &mut ProjectState) -> Result<()> {
        match self {
            Operation::CreateModel { model } => {
                if state.models.contains_key(&model.name) {
                    return Err(Error::invalid(format!("model {} is created twice", model.name)));
                }
                state.models.insert(model.name.clone(), model.clone());
            }
            Operation::DeleteModel { name } => {
                state
                    .models
                    .remove(name)
                    .ok_or_else(|| Error::invalid(format!("no model {name:?} to delete")))?;
            }
            Operation::RenameModel { old, new } => {
                let mut model = state
                    .models
                    .remove(old)
                    .ok_or_else(|| Error::invalid(format!("no model {old:?} to rename")))?;
                model.name.clone_from(new);
                state.models.insert(new.clone(), model);
                // Relations pointing at the old name follow it.
                for other in state.models.values_mut() {
                    for field in &mut other.fields {
                        if let Some(relation) = &mut field.relation
                            && relation.to == *old
                        {
                            relation.to.clone_from(new);
                        }
                    }
                    for m2m in &mut other.many_to_many {
                        if m2m.to == *old {
                            m2m.to.clone_from(new);
                        }
                        if m2m.through.as_deref() == Some(old.as_str()) {
                            m2m.through = Some(new.clone());
                        }
                    }
                }
            }
            Operation::AlterModelTable { model, table } => {
                model_mut(state, model)?.table.clone_from(table)
            }
            Operation::AddField { model, field, .. } => {
                let model = model_mut(state, model)?;
                if model.field(&field.name).is_some() {
                    return Err(Error::invalid(format!(
                        "{}.{} is added twice",
                        model.name, field.name
                    )));
                }
                model.fields.push(field.clone());
            }
            Operation::RemoveField { model, name } => {
                let model = model_mut(state, model)?;
                let index = field_index(model, name)?;
                model.fields.remove(index);
            }
            Operation::AlterField { model, field } => {
                let model = model_mut(state, model)?;
                let index = field_index(model, &field.name)?;
                model.fields[index] = field.clone();
            }
            Operation::RenameField { model, old, new } => {
                let model = model_mut(state, model)?;
                let index = field_index(model, old)?;
                let field = &mut model.fields[index];
                if field.column == *old || field.column == format!("{old}_id") {
                    field.column = field.column.replacen(old.as_str(), new, 1);
                }
                field.name.clone_from(new);
                for group in model.unique_together.iter_mut().chain(model.index_together.iter_mut())
                {
                    for name in group.iter_mut() {
                        if name == old {
                            name.clone_from(new);
                        }
                    }
                }
            }
            Operation::AlterUniqueTogether { model, unique_together } => {
                model_mut(state, model)?.unique_together.clone_from(unique_together);
            }
            Operation::AlterIndexTogether { model, index_together } => {
                model_mut(state, model)?.index_together.clone_from(index_together);
            }
            Operation::AddConstraint { model, name, sql } => {
                model_mut(state, model)?
                    .checks
                    .push(super::state::CheckState { name: name.clone(), sql: sql.clone() });
            }
            Operation::RemoveConstraint { model, name } => {
                model_mut(state, model)?.checks.retain(|c| c.name != *name);
            }
            Operation::AddManyToMany { model, field } => {
                model_mut(state, model)?.many_to_many.push(field.clone())
            }
            Operation::RemoveManyToMany { model, name } => {
                model_mut(state, model)?.many_to_many.retain(|m| m.name != *name);
            }
            Operation::AlterManyToManyTable { model, name, table } => {
                let owner = model_mut(state, model)?;
                let field =
                    owner.many_to_many.iter_mut().find(|m| m.name == *name).ok_or_else(|| {
                        Error::invalid(format!("the migration state has no field {model}.{name}"))
                    })?;
                field.table = Some(table.clone());
            }
            Operation::RunSql { .. } | Operation::RunRust { .. } => {}
            Operation::StateOnly { operations } => {
                for operation in operations {
                    operation.state_forwards(state)?;
                }
            }
        }
        Ok(())
    }

    /// The operation that undoes this one, given the state before it ran. Errors for
    /// operations that cannot be undone (`RunSql` without `reverse_sql`, `RunRust` without a
    /// reverse function).
    pub fn reverse(&self, before: &ProjectState) -> Result<Operation> {
        let model_of = |name: &str| {
            before
                .models
                .get(name)
                .ok_or_else(|| Error::invalid(format!("the migration state has no model {name:?}")))
        };
        let field_of = |model: &str, name: &str| -> Result<FieldState> {
            let state = model_of(model)?;
            state.field(name).cloned().ok_or_else(|| {
                Error::invalid(format!("the migration state has no field {model}.{name}"))
            })
        };
        Ok(match self {
            Operation::CreateModel { model } => Operation::DeleteModel { name: model.name.clone() },
            Operation::DeleteModel { name } => {
                Operation::CreateModel { model: model_of(name)?.clone() }
            }
            Operation::RenameModel { old, new } => {
                Operation::RenameModel { old: new.clone(), new: old.clone() }
            }
            Operation::AlterModelTable { model, .. } => Operation::AlterModelTable {
                model: model.clone(),
                table: model_of(model)?.table.clone(),
            },
            Operation::AddField { model, field, .. } => {
                Operation::RemoveField { model: model.clone(), name: field.name.clone() }
            }
            Operation::RemoveField { model, name } => {
                let field = field_of(model, name)?;
                // Rows get the field's default, or the type's zero value when it has none.
                let one_off_default = match (&field.default, field.null) {
                    (Some(_), _) | (None, true) => None,
                    (None, false) => Some(zero_value(&field)),
                };
                Operation::AddField { model: model.clone(), field, one_off_default }
            }
            Operation::AlterField { model, field } => {
                Operation::AlterField { model: model.clone(), field: field_of(model, &field.name)? }
            }
            Operation::RenameField { model, old, new } => {
                Operation::RenameField { model: model.clone(), old: new.clone(), new: old.clone() }
            }
            Operation::AlterUniqueTogether { model, .. } => Operation::AlterUniqueTogether {
                model: model.clone(),
                unique_together: model_of(model)?.unique_together.clone(),
            },
            Operation::AlterIndexTogether { model, .. } => Operation::AlterIndexTogether {
                model: model.clone(),
                index_together: model_of(model)?.index_together.clone(),
            },
            Operation::AddConstraint { model, name, .. } => {
                Operation::RemoveConstraint { model: model.clone(), name: name.clone() }
            }
            Operation::RemoveConstraint { model, name } => {
                let check =
                    model_of(model)?.checks.iter().find(|c| c.name == *name).cloned().ok_or_else(
                        || {
                            Error::invalid(format!(
                                "the migration state has no constraint {model}.{name}"
                            ))
                        },
                    )?;
                Operation::AddConstraint { model: model.clone(), name: check.name, sql: check.sql }
            }
            Operation::AddManyToMany { model, field } => {
                Operation::RemoveManyToMany { model: model.clone(), name: field.name.clone() }
            }
            Operation::AlterManyToManyTable { model, name, .. } => {
                let field = model_of(model)?
                    .many_to_many
                    .iter()
                    .find(|m| m.name == *name)
                    .ok_or_else(|| {
                        Error::invalid(format!("the migration state has no field {model}.{name}"))
                    })?;
                let table = field.table.clone().ok_or_else(|| {
                    Error::invalid("a many-to-many through an explicit model has no join table")
                })?;
                Operation::AlterManyToManyTable { model: model.clone(), name: name.clone(), table }
            }
            Operation::RemoveManyToMany { model, name } => {
                let field = model_of(model)?
                    .many_to_many
                    .iter()
                    .find(|m| m.name == *name)
                    .cloned()
                    .ok_or_else(|| {
                        Error::invalid(format!("the migration state has no field {model}.{name}"))
                    })?;
                Operation::AddManyToMany { model: model.clone(), field }
            }
            Operation::RunSql { sql, reverse_sql } => match reverse_sql {
                Some(reverse) => {
                    Operation::RunSql { sql: reverse.clone(), reverse_sql: Some(sql.clone()) }
                }
                None => {
                    return Err(Error::invalid(
                        "this RunSql operation has no reverse_sql, so it cannot be undone",
                    ));
                }
            },
            Operation::RunRust { name, reverse } => match reverse {
                Some(reverse) => {
                    Operation::RunRust { name: reverse.clone(), reverse: Some(name.clone()) }
                }
                None => {
                    return Err(Error::invalid(format!(
                        "RunRust {name} has no reverse function, so it cannot be undone"
                    )));
                }
            },
            Operation::StateOnly { operations } => {
                let mut state = before.clone();
                let mut reversed = Vec::new();
                for operation in operations {
                    reversed.push(operation.reverse(&state)?);
                    operation.state_forwards(&mut state)?;
                }
                reversed.reverse();
                Operation::StateOnly { operations: reversed }
            }
        })
    }

    /// The models this operation's relations point at.
    pub fn related_models(&self) -> Vec<String> {
        let from_fields = |fields: &[FieldState]| -> Vec<String> {
            fields.iter().filter_map(|f| f.relation.as_ref().map(|r| r.to.clone())).collect()
        };
        match self {
            Operation::CreateModel { model } => {
                let mut out = from_fields(&model.fields);
                out.extend(model.many_to_many.iter().map(|m| m.to.clone()));
                out
            }
            Operation::AddField { field, .. } | Operation::AlterField { field, .. } => {
                from_fields(std::slice::from_ref(field))
            }
            Operation::AddManyToMany { field, .. } => vec![field.to.clone()],
            _ => Vec::new(),
        }
    }

    /// One line for people (`showmigrations`, `--dry-run`), Django's wording.
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateModel { model } => format!("Create model {}", model.name),
            Operation::DeleteModel { name } => format!("Delete model {name}"),
            Operation::RenameModel { old, new } => format!("Rename model {old} to {new}"),
            Operation::AlterModelTable { model, table } => {
                format!("Rename table for {model} to {table}")
            }
            Operation::AddField { model, field, .. } => {
                format!("Add field {} to {model}", field.name)
            }
            Operation::RemoveField { model, name } => format!("Remove field {name} from {model}"),
            Operation::AlterField { model, field } => {
                format!("Alter field {} on {model}", field.name)
            }
            Operation::RenameField { model, old, new } => {
                format!("Rename field {old} on {model} to {new}")
            }
            Operation::AlterUniqueTogether { model, unique_together } => {
                format!(
                    "Alter unique_together for {model} ({} constraint(s))",
                    unique_together.len()
                )
            }
            Operation::AlterIndexTogether { model, index_together } => {
                format!("Alter index_together for {model} ({} index(es))", index_together.len())
            }
            Operation::AddConstraint { model, name, .. } => {
                format!("Create constraint {name} on model {model}")
            }
            Operation::RemoveConstraint { model, name } => {
                format!("Remove constraint {name} from model {model}")
            }
            Operation::AddManyToMany { model, field } => {
                format!("Add field {} to {model}", field.name)
            }
            Operation::RemoveManyToMany { model, name } => {
                format!("Remove field {name} from {model}")
            }
            Operation::AlterManyToManyTable { model, name, table } => {
                format!("Rename the join table of {model}.{name} to {table}")
            }
            Operation::RunSql { .. } => "Raw SQL operation".into(),
            Operation::RunRust { name, .. } => format!("Run Rust function {name}"),
            Operation::StateOnly { operations } => {
                let inner: Vec<String> = operations.iter().map(Operation::describe).collect();
                format!("State only: {}", inner.join("; "))
            }
        }
    }
}
