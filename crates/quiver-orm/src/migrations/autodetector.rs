//! The autodetector: named phases over two in-memory project states (the state rebuilt from
//! the migration files, and the models compiled into the app) that produce the operations of
//! the next migration. Pure functions, no database (STYLE.md: hard algorithms as phases over
//! plain data).

use std::collections::{BTreeMap, BTreeSet};

use super::operation::Operation;
use super::state::{ModelState, ProjectState};

/// Answers to what the autodetector cannot decide alone (the questions `makemigrations` asks
/// interactively, or its flags answer).
#[derive(Debug, Clone, Default)]
pub struct Answers {
    /// One-off values for new NOT NULL fields without a default, by `"Model.field"`.
    pub one_off_defaults: BTreeMap<String, serde_json::Value>,
    /// Fields renamed without a `renamed_from` attribute: `"Model.old"` → new name (what an
    /// interactive run answers for each of [`rename_candidates`]).
    pub renamed_fields: BTreeMap<String, String>,
    /// Models renamed without a `renamed_from` attribute: old name → new name.
    pub renamed_models: BTreeMap<String, String>,
}

/// A removed and an added model or field that look the same: maybe a rename. Without an
/// answer the autodetector treats them as a removal and an addition (data is lost), as
/// Django's non-interactive mode does; `makemigrations` asks about each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameCandidate {
    /// A model.
    Model {
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// A field of `model`.
    Field {
        /// The model (its new name).
        model: String,
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
}

/// The possible renames between `from` and `to` (to ask about).
pub fn rename_candidates(from: &ProjectState, to: &ProjectState) -> Vec<RenameCandidate> {
    let mut out = Vec::new();
    let same_fields = |a: &ModelState, b: &ModelState| {
        a.fields.len() == b.fields.len()
            && a.fields.iter().zip(&b.fields).all(|(x, y)| x.same_schema(y))
    };
    for removed in from.models.values().filter(|m| !to.models.contains_key(&m.name)) {
        for added in to
            .models
            .values()
            .filter(|m| !from.models.contains_key(&m.name) && m.renamed_from.is_none())
        {
            if same_fields(removed, added) {
                out.push(RenameCandidate::Model {
                    old: removed.name.clone(),
                    new: added.name.clone(),
                });
            }
        }
    }
    for new in to.models.values() {
        let Some(old) = from.models.get(&new.name) else { continue };
        for removed in old.fields.iter().filter(|f| new.field(&f.name).is_none()) {
            for added in new
                .fields
                .iter()
                .filter(|f| old.field(&f.name).is_none() && f.renamed_from.is_none())
            {
                let mut moved = removed.clone();
                moved.column.clone_from(&added.column);
                if moved.same_schema(added) {
                    out.push(RenameCandidate::Field {
                        model: new.name.clone(),
                        old: removed.name.clone(),
                        new: added.name.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Something the autodetector needs answered before it can write the migration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Question {
    /// A new NOT NULL field has no default, and rows may exist.
    NeedsDefault {
        /// The model.
        model: String,
        /// The field.
        field: String,
    },
}

impl std::fmt::Display for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Question::NeedsDefault { model, field } => write!(
                f,
                "{model}.{field} is a new NOT NULL field without a default, and existing rows need a value: \
                 add `default = ...` to the field, make it `Option<...>`, or give a one-off default \
                 (makemigrations asks, or `--default {model}.{field}=<json>`)"
            ),
        }
    }
}

/// The operations that turn `from` into `to`, or the questions to answer first.
///
/// ```
/// use quiver_orm::migrations::{detect, Answers, Operation, ProjectState};
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Note {
///     pub id: Auto<i64>,
///     pub text: String,
/// }
///
/// let ops = detect(&ProjectState::default(), &ProjectState::from_models(&[Note::meta()]), &Answers::default()).unwrap();
/// assert!(matches!(&ops[..], [Operation::CreateModel { model }] if model.name == "Note"));
/// ```
pub fn detect(
    from: &ProjectState,
    to: &ProjectState,
    answers: &Answers,
) -> Result<Vec<Operation>, Vec<Question>> {
    let mut current = from.clone();
    let mut ops = Vec::new();
    let mut questions = Vec::new();
    let apply = |ops: &mut Vec<Operation>, current: &mut ProjectState, new: Vec<Operation>| {
        for op in new {
            op.state_forwards(current)
                .expect("the autodetector's operations fit the state they came from");
            ops.push(op);
        }
    };
    let renamed = renamed_models(&current, to, answers);
    apply(&mut ops, &mut current, renamed);
    let created = created_models(&current, to);
    apply(&mut ops, &mut current, created);
    let mut names: Vec<&String> =
        to.models.keys().filter(|n| current.models.contains_key(*n)).collect();
    names.sort();
    for name in names {
        let (old, new) = (&current.models[name].clone(), &to.models[name]);
        let changed = changed_model(old, new, answers, &mut questions);
        apply(&mut ops, &mut current, changed);
    }
    let deleted = deleted_models(&current, to);
    apply(&mut ops, &mut current, deleted);
    if questions.is_empty() { Ok(ops) } else { Err(questions) }
}

/// Phase 1: models renamed with `#[model(renamed_from = "Old")]` (or an answer), then their
/// table if it moved.
pub fn renamed_models(
    current: &ProjectState,
    to: &ProjectState,
    answers: &Answers,
) -> Vec<Operation> {
    let mut ops = Vec::new();
    for model in to.models.values() {
        let answered =
            answers.renamed_models.iter().find(|(_, new)| **new == model.name).map(|(old, _)| old);
        let Some(old) = model.renamed_from.as_ref().or(answered) else { continue };
        if current.models.contains_key(old) && !current.models.contains_key(&model.name) {
            ops.push(Operation::RenameModel { old: old.clone(), new: model.name.clone() });
            if current.models[old].table != model.table {
                ops.push(Operation::AlterModelTable {
                    model: model.name.clone(),
                    table: model.table.clone(),
                });
            }
        }
    }
    ops
}

/// The models `models` depends on through relations (inside `names` only).
fn dependencies<'a>(model: &'a ModelState, names: &BTreeSet<&str>) -> Vec<&'a str> {
    model
        .fields
        .iter()
        .filter_map(|f| f.relation.as_ref().map(|r| r.to.as_str()))
        .chain(model.many_to_many.iter().map(|m| m.to.as_str()))
        .filter(|to| *to != model.name && names.contains(to))
        .collect()
}

/// `names` ordered so that every model comes after the models it points at.
fn dependency_order<'a>(
    models: &'a BTreeMap<String, ModelState>,
    names: &BTreeSet<&'a str>,
) -> Vec<&'a str> {
    let mut ordered: Vec<&str> = Vec::new();
    let mut pending: Vec<&str> = names.iter().copied().collect();
    while !pending.is_empty() {
        let before = pending.len();
        pending.retain(|name| {
            let ready = dependencies(&models[*name], names).iter().all(|d| ordered.contains(d));
            if ready {
                ordered.push(name);
            }
            !ready
        });
        if pending.len() == before {
            ordered.append(&mut pending); // a cycle: creation order cannot satisfy it anyway
        }
    }
    ordered
}

/// Phase 2: new models, each after the models it points at.
pub fn created_models(current: &ProjectState, to: &ProjectState) -> Vec<Operation> {
    let names: BTreeSet<&str> =
        to.models.keys().filter(|n| !current.models.contains_key(*n)).map(String::as_str).collect();
    let mut ops = Vec::new();
    let mut deferred = Vec::new();
    let mut created: Vec<&str> = Vec::new();
    for name in dependency_order(&to.models, &names) {
        // Relations to new models that do not exist yet (a cycle) are added after them.
        let pending = |to_model: &str| {
            to_model != name && names.contains(to_model) && !created.contains(&to_model)
        };
        let mut model = to.models[name].clone();
        for field in
            model.fields.iter().filter(|f| f.relation.as_ref().is_some_and(|r| pending(&r.to)))
        {
            deferred.push(Operation::AddField {
                model: name.to_owned(),
                field: field.clone(),
                one_off_default: None,
            });
        }
        for m2m in model.many_to_many.iter().filter(|m| pending(&m.to)) {
            deferred.push(Operation::AddManyToMany { model: name.to_owned(), field: m2m.clone() });
        }
        model.fields.retain(|f| !f.relation.as_ref().is_some_and(|r| pending(&r.to)));
        model.many_to_many.retain(|m| !pending(&m.to));
        ops.push(Operation::CreateModel { model });
        created.push(name);
    }
    ops.extend(deferred);
    ops
}

/// Phase 4: dropped models, dependents first.
pub fn deleted_models(current: &ProjectState, to: &ProjectState) -> Vec<Operation> {
    let names: BTreeSet<&str> =
        current.models.keys().filter(|n| !to.models.contains_key(*n)).map(String::as_str).collect();
    let mut order = dependency_order(&current.models, &names);
    order.reverse();
    order.into_iter().map(|name| Operation::DeleteModel { name: name.to_owned() }).collect()
}

/// Phase 3: the changes inside one model that exists on both sides.
pub fn changed_model(
    old: &ModelState,
    new: &ModelState,
    answers: &Answers,
    questions: &mut Vec<Question>,
) -> Vec<Operation> {
    let model = new.name.clone();
    let mut ops = Vec::new();
    if old.table != new.table {
        ops.push(Operation::AlterModelTable { model: model.clone(), table: new.table.clone() });
    }
    // Renamed fields.
    let mut old_names: Vec<String> = old.fields.iter().map(|f| f.name.clone()).collect();
    for field in &new.fields {
        let answered = answers
            .renamed_fields
            .iter()
            .find(|(key, to)| {
                **to == field.name && key.split_once('.').is_some_and(|(m, _)| m == new.name)
            })
            .and_then(|(key, _)| key.split_once('.').map(|(_, old)| old.to_owned()));
        if let Some(previous) = field.renamed_from.as_ref().or(answered.as_ref())
            && old.field(previous).is_some()
            && old.field(&field.name).is_none()
        {
            ops.push(Operation::RenameField {
                model: model.clone(),
                old: previous.clone(),
                new: field.name.clone(),
            });
            if let Some(name) = old_names.iter_mut().find(|n| *n == previous) {
                name.clone_from(&field.name);
            }
        }
    }
    let renamed_old = |name: &str| -> Option<&super::state::FieldState> {
        let index = old_names.iter().position(|n| n == name)?;
        old.fields.get(index)
    };
    // Groups and checks that lose a field go first: the column cannot be dropped under them.
    let renamed_name = |name: &String| -> String {
        old.fields
            .iter()
            .position(|f| &f.name == name)
            .map_or_else(|| name.clone(), |i| old_names[i].clone())
    };
    let removed: Vec<&String> = old_names.iter().filter(|n| new.field(n).is_none()).collect();
    let map_groups = |groups: &Vec<Vec<String>>| -> Vec<Vec<String>> {
        groups.iter().map(|g| g.iter().map(renamed_name).collect()).collect()
    };
    let without_removed = |groups: Vec<Vec<String>>| -> Vec<Vec<String>> {
        groups.into_iter().filter(|g| !g.iter().any(|f| removed.contains(&f))).collect()
    };
    let mut unique_now = map_groups(&old.unique_together);
    let mut index_now = map_groups(&old.index_together);
    if !removed.is_empty() {
        let kept = without_removed(unique_now.clone());
        if kept != unique_now {
            ops.push(Operation::AlterUniqueTogether {
                model: model.clone(),
                unique_together: kept.clone(),
            });
            unique_now = kept;
        }
        let kept = without_removed(index_now.clone());
        if kept != index_now {
            ops.push(Operation::AlterIndexTogether {
                model: model.clone(),
                index_together: kept.clone(),
            });
            index_now = kept;
        }
    }
    for check in &old.checks {
        if !new.checks.contains(check) {
            ops.push(Operation::RemoveConstraint {
                model: model.clone(),
                name: check.name.clone(),
            });
        }
    }
    // Removed fields.
    for name in &removed {
        ops.push(Operation::RemoveField { model: model.clone(), name: (*name).clone() });
    }
    // Added and altered fields.
    for field in &new.fields {
        match renamed_old(&field.name) {
            None => {
                let key = format!("{}.{}", new.name, field.name);
                let one_off_default = answers.one_off_defaults.get(&key).cloned();
                if !field.null
                    && field.default.is_none()
                    && !field.auto_increment
                    && one_off_default.is_none()
                {
                    questions.push(Question::NeedsDefault {
                        model: model.clone(),
                        field: field.name.clone(),
                    });
                    continue;
                }
                ops.push(Operation::AddField {
                    model: model.clone(),
                    field: field.clone(),
                    one_off_default,
                });
            }
            Some(previous) => {
                let mut renamed = previous.clone();
                renamed.name.clone_from(&field.name);
                if renamed.column == previous.name
                    || renamed.column == format!("{}_id", previous.name)
                {
                    renamed.column =
                        renamed.column.replacen(previous.name.as_str(), &field.name, 1);
                }
                if !renamed.same_schema(field) {
                    ops.push(Operation::AlterField { model: model.clone(), field: field.clone() });
                }
            }
        }
    }
    if unique_now != new.unique_together {
        ops.push(Operation::AlterUniqueTogether {
            model: model.clone(),
            unique_together: new.unique_together.clone(),
        });
    }
    if index_now != new.index_together {
        ops.push(Operation::AlterIndexTogether {
            model: model.clone(),
            index_together: new.index_together.clone(),
        });
    }
    for check in &new.checks {
        if !old.checks.contains(check) {
            ops.push(Operation::AddConstraint {
                model: model.clone(),
                name: check.name.clone(),
                sql: check.sql.clone(),
            });
        }
    }
    // A join table that only moved (its owner's table was renamed) keeps its links.
    let moved = |m: &super::state::ManyToManyState| {
        old.many_to_many.iter().find(|o| {
            o.name == m.name && o.table.is_some() && m.table.is_some() && o.table != m.table && {
                let mut same = (*o).clone();
                same.table.clone_from(&m.table);
                same == *m
            }
        })
    };
    for m2m in &old.many_to_many {
        let kept = new.many_to_many.contains(m2m);
        let renamed = new.many_to_many.iter().any(|n| moved(n).is_some_and(|o| o == m2m));
        if !kept && !renamed {
            ops.push(Operation::RemoveManyToMany { model: model.clone(), name: m2m.name.clone() });
        }
    }
    for m2m in &new.many_to_many {
        if old.many_to_many.contains(m2m) {
            continue;
        }
        match (moved(m2m), &m2m.table) {
            (Some(_), Some(table)) => ops.push(Operation::AlterManyToManyTable {
                model: model.clone(),
                name: m2m.name.clone(),
                table: table.clone(),
            }),
            _ => ops.push(Operation::AddManyToMany { model: model.clone(), field: m2m.clone() }),
        }
    }
    ops
}

/// A name for a migration made of `operations`, Django-style: `initial` for the first, else
/// from the operations (`article_views`, `delete_note`, ...), `auto` when there is none.
pub fn suggest_name(operations: &[Operation], first: bool) -> String {
    if first && operations.iter().all(|op| matches!(op, Operation::CreateModel { .. })) {
        return "initial".into();
    }
    let fragments: Vec<String> = operations
        .iter()
        .filter_map(|op| {
            Some(match op {
                Operation::CreateModel { model } => model.name.to_lowercase(),
                Operation::DeleteModel { name } => format!("delete_{}", name.to_lowercase()),
                Operation::RenameModel { old, new } => {
                    format!("rename_{}_{}", old.to_lowercase(), new.to_lowercase())
                }
                Operation::AddField { model, field, .. } => {
                    format!("{}_{}", model.to_lowercase(), field.name)
                }
                Operation::RemoveField { model, name } => {
                    format!("remove_{}_{name}", model.to_lowercase())
                }
                Operation::AlterField { model, field } => {
                    format!("alter_{}_{}", model.to_lowercase(), field.name)
                }
                Operation::RenameField { model, old, new } => {
                    format!("rename_{old}_{}_{new}", model.to_lowercase())
                }
                _ => return None,
            })
        })
        .collect();
    match fragments.as_slice() {
        [] => "auto".into(),
        [one] => one.clone(),
        [first, ..] if first.len() <= 40 => format!("{first}_and_more"),
        _ => "auto".into(),
    }
}
