//! Model states: the schema-relevant part of the models as plain, serializable data. The
//! autodetector compares two of them; migration files carry them inside their operations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{FieldMeta, ModelMeta, OnDelete};
use crate::value::ColumnType;

fn is_false(value: &bool) -> bool {
    !*value
}

/// One column as migrations see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldState {
    /// The field's name.
    pub name: String,
    /// The column (`author_id` for a relation `author`).
    pub column: String,
    /// The portable column type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    /// Accepts NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub null: bool,
    /// Primary key.
    #[serde(default, skip_serializing_if = "is_false")]
    pub primary_key: bool,
    /// Filled by the database.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    /// Unique constraint.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// Plain index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub index: bool,
    /// `VARCHAR(n)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Decimal precision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_digits: Option<u8>,
    /// Decimal scale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal_places: Option<u8>,
    /// The default written into the DDL (literal defaults only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<serde_json::Value>,
    /// Stored choices (`value`s only; labels are not schema).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
    /// For a foreign key or one-to-one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<RelationState>,
    /// The field's previous name (`#[field(renamed_from = "...")]`): read by the
    /// autodetector, never written to files.
    #[serde(skip)]
    pub renamed_from: Option<String>,
}

/// Where a relation points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationState {
    /// The related model's name.
    pub to: String,
    /// Delete behaviour.
    pub on_delete: OnDelete,
    /// A one-to-one relation (unique).
    #[serde(default, skip_serializing_if = "is_false")]
    pub one_to_one: bool,
}

/// A many-to-many field: a join table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManyToManyState {
    /// The field's name.
    pub name: String,
    /// The related model's name.
    pub to: String,
    /// The automatic join table (none with an explicit through model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The join table's column pointing at the owner.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner_column: String,
    /// The join table's column pointing at the target.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub target_column: String,
    /// An explicit through model (its own migrations create its table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<String>,
}

/// A named check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckState {
    /// The constraint's name.
    pub name: String,
    /// Its SQL expression.
    pub sql: String,
}

/// One model as migrations see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelState {
    /// The struct's name.
    pub name: String,
    /// The table.
    pub table: String,
    /// The columns, in declaration order.
    pub fields: Vec<FieldState>,
    /// Composite unique constraints, by field name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique_together: Vec<Vec<String>>,
    /// Composite indexes, by field name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub index_together: Vec<Vec<String>>,
    /// Check constraints.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckState>,
    /// Many-to-many fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub many_to_many: Vec<ManyToManyState>,
    /// The model's previous name (`#[model(renamed_from = "...")]`); never written to files.
    #[serde(skip)]
    pub renamed_from: Option<String>,
    /// The app whose migrations created the model (empty for a one-folder project).
    #[serde(skip)]
    pub app: String,
}

impl ModelState {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldState> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The state of a compiled model.
    pub fn from_meta(meta: &ModelMeta) -> ModelState {
        ModelState {
            name: meta.name.to_owned(),
            table: meta.table.to_owned(),
            fields: meta.fields.iter().map(FieldState::from_meta).collect(),
            unique_together: meta
                .unique_together
                .iter()
                .map(|group| group.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
            index_together: meta
                .index_together
                .iter()
                .map(|group| group.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
            checks: meta
                .checks
                .iter()
                .map(|(name, sql)| CheckState { name: (*name).to_owned(), sql: (*sql).to_owned() })
                .collect(),
            many_to_many: meta
                .many_to_many
                .iter()
                .map(|m| {
                    let through = m.through.map(|t| t().name.to_owned());
                    ManyToManyState {
                        name: m.name.to_owned(),
                        to: (m.target)().name.to_owned(),
                        table: through.is_none().then(|| m.table.to_owned()),
                        owner_column: if through.is_none() {
                            m.owner_column.to_owned()
                        } else {
                            String::new()
                        },
                        target_column: if through.is_none() {
                            m.target_column.to_owned()
                        } else {
                            String::new()
                        },
                        through,
                    }
                })
                .collect(),
            renamed_from: meta.renamed_from.map(str::to_owned),
            app: String::new(),
        }
    }
}

impl FieldState {
    /// The state of a compiled field.
    pub fn from_meta(field: &FieldMeta) -> FieldState {
        FieldState {
            name: field.name.to_owned(),
            column: field.column.to_owned(),
            column_type: field.column_type,
            null: field.nullable,
            primary_key: field.primary_key,
            auto_increment: field.auto_increment,
            unique: field.unique,
            index: field.index,
            max_length: field.max_length,
            max_digits: field.max_digits,
            decimal_places: field.decimal_places,
            default: field.default.filter(|_| field.db_default).map(|f| value_to_json(&f())),
            choices: field.choices.iter().map(|(value, _)| (*value).to_owned()).collect(),
            relation: field.relation.map(|r| RelationState {
                to: (r.model)().name.to_owned(),
                on_delete: r.on_delete,
                one_to_one: r.one_to_one,
            }),
            renamed_from: field.renamed_from.map(str::to_owned),
        }
    }

    /// Equal in everything the database sees (the name aside).
    pub fn same_schema(&self, other: &FieldState) -> bool {
        let mut a = self.clone();
        a.name.clone_from(&other.name);
        a.renamed_from.clone_from(&other.renamed_from);
        a == *other
    }
}

/// Every model of a project, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProjectState {
    /// The models.
    pub models: BTreeMap<String, ModelState>,
}

impl ProjectState {
    /// The state of the models compiled into the app.
    ///
    /// ```
    /// use quiver_orm::prelude::*;
    /// use quiver_orm::migrations::ProjectState;
    ///
    /// #[derive(Model, Debug)]
    /// pub struct Note {
    ///     pub id: Auto<i64>,
    ///     #[field(max_length = 80)]
    ///     pub title: String,
    /// }
    ///
    /// let state = ProjectState::from_models(&[Note::meta()]);
    /// assert_eq!(state.models["Note"].field("title").unwrap().max_length, Some(80));
    /// ```
    pub fn from_models(models: &[&ModelMeta]) -> ProjectState {
        ProjectState {
            models: models.iter().map(|m| (m.name.to_owned(), ModelState::from_meta(m))).collect(),
        }
    }
}

/// A bound value as the JSON literal a migration file holds.
pub(crate) fn value_to_json(value: &sea_query::Value) -> serde_json::Value {
    use sea_query::Value as V;
    use serde_json::Value as J;
    match value {
        V::Bool(Some(b)) => J::Bool(*b),
        V::TinyInt(Some(n)) => J::from(*n),
        V::SmallInt(Some(n)) => J::from(*n),
        V::Int(Some(n)) => J::from(*n),
        V::BigInt(Some(n)) => J::from(*n),
        V::Float(Some(f)) => J::from(f64::from(*f)),
        V::Double(Some(f)) => J::from(*f),
        V::String(Some(s)) => J::String(s.clone()),
        V::Decimal(Some(d)) => J::String(d.to_string()),
        V::Uuid(Some(u)) => J::String(u.to_string()),
        V::ChronoDate(Some(d)) => J::String(d.to_string()),
        V::ChronoTime(Some(t)) => J::String(t.to_string()),
        V::ChronoDateTime(Some(t)) => J::String(t.to_string()),
        V::ChronoDateTimeUtc(Some(t)) => J::String(t.to_rfc3339()),
        V::Json(Some(j)) => (**j).clone(),
        _ => J::Null,
    }
}

/// A migration file's JSON literal as a bound value of the column's type.
pub fn json_to_value(json: &serde_json::Value, column_type: ColumnType) -> sea_query::Value {
    use sea_query::Value as V;
    use serde_json::Value as J;
    let text = || match json {
        J::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (column_type, json) {
        (_, J::Null) => V::String(None),
        (ColumnType::Bool, J::Bool(b)) => V::Bool(Some(*b)),
        (ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt, J::Number(n))
            if n.is_i64() =>
        {
            V::BigInt(n.as_i64())
        }
        (ColumnType::Float | ColumnType::Double, J::Number(n)) => V::Double(n.as_f64()),
        (ColumnType::Decimal, _) => {
            text().parse().map(|d| V::Decimal(Some(d))).unwrap_or(V::String(Some(text())))
        }
        (ColumnType::Json, other) => V::Json(Some(Box::new(other.clone()))),
        (ColumnType::Uuid, J::String(s)) => {
            s.parse().map(|u| V::Uuid(Some(u))).unwrap_or(V::String(Some(s.clone())))
        }
        (_, J::Bool(b)) => V::Bool(Some(*b)),
        (_, J::Number(n)) if n.is_i64() => V::BigInt(n.as_i64()),
        (_, J::Number(n)) => V::Double(n.as_f64()),
        _ => V::String(Some(text())),
    }
}
