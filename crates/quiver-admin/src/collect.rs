//! What deleting objects takes with it: the rows that cascade, and the protected rows that
//! forbid the delete (Django's deletion collector), found through the registered models.

use quiver_orm::{ColumnType, Db, ModelMeta, OnDelete, Q};
use sea_query::Value;
use serde_json::{Map, Value as Json};

use crate::ops::RowsQuery;
use crate::site::{AdminSite, ModelEntry};
use crate::values::{key_text, parse};

/// The field that names an object: the configured one, else `name`, `title`, `username`,
/// `email`, then the first short text field.
pub(crate) fn title_field(entry: &ModelEntry) -> Option<&'static str> {
    let meta = entry.meta;
    if let Some(name) = &entry.config.title_field {
        return meta.field(name).map(|f| f.name);
    }
    for name in ["name", "title", "username", "email", "slug"] {
        if let Some(field) = meta.field(name)
            && field.column_type == ColumnType::Text
        {
            return Some(field.name);
        }
    }
    meta.fields
        .iter()
        .find(|f| f.column_type == ColumnType::Text && f.max_length.is_some() && !f.primary_key)
        .map(|f| f.name)
}

/// The names `rows` needs to name objects: the key and the title field.
pub(crate) fn repr_names(entry: &ModelEntry) -> Vec<String> {
    let mut names = vec![entry.meta.pk_field().name.to_owned()];
    if let Some(title) = title_field(entry) {
        names.push(title.to_owned());
    }
    names
}

/// How an object is named: its title field, else `Article 7`.
pub(crate) fn repr(entry: &ModelEntry, row: &Map<String, Json>) -> String {
    let key = row.get(entry.meta.pk_field().name).map(key_text).unwrap_or_default();
    match title_field(entry).and_then(|name| row.get(name)) {
        Some(Json::String(title)) if !title.trim().is_empty() => title.clone(),
        _ => format!("{} {key}", crate::values::humanize(entry.meta.verbose_name)),
    }
}

/// The rows of `meta` whose key is one of `keys`.
pub(crate) fn keys_q(meta: &ModelMeta, keys: Vec<Value>) -> Q {
    Q::path_in(format!("{}__in", meta.pk_field().name), keys)
}

/// `(key, name)` of the rows of `entry` matching `q`, at most `limit`.
pub(crate) async fn names_of(
    db: &Db,
    entry: &ModelEntry,
    q: Q,
    limit: Option<u64>,
) -> quiver_orm::Result<Vec<(String, String)>> {
    let query = RowsQuery { q, order: Vec::new(), offset: 0, limit, names: repr_names(entry) };
    let rows = entry.ops.rows(db, query).await?;
    let pk = entry.meta.pk_field().name;
    Ok(rows
        .iter()
        .map(|row| (row.get(pk).map(key_text).unwrap_or_default(), repr(entry, row)))
        .collect())
}

/// A key from a URL or a checkbox, typed like the model's key.
pub(crate) fn parse_key(meta: &ModelMeta, text: &str) -> Option<Value> {
    parse(meta.pk_field().column_type, text).ok()
}

/// One object found by the collector.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Found {
    pub model: String,
    pub repr: String,
    pub url: Option<String>,
}

/// What a delete would do.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    /// Objects deleted along with the chosen ones (not the chosen ones themselves).
    pub deleted: Vec<Found>,
    /// Counts per model, the chosen ones included: (plural name, count).
    pub summary: Vec<(String, u64)>,
    /// Objects whose `protect`/`restrict` relation forbids the delete.
    pub protected: Vec<Found>,
    /// Objects left out of `deleted` to keep the page short.
    pub more: u64,
    /// Models the cascade reaches that the user may not delete (plural names).
    pub needs_permission: Vec<String>,
}

const LISTED: usize = 200;
const DEPTH: usize = 8;

/// Follows every foreign key of the registered models that points at the rows of `entry` with
/// keys `pks`, as far as `on_delete` cascades.
pub(crate) async fn collect(
    site: &AdminSite,
    db: &Db,
    entry: &ModelEntry,
    pks: Vec<Value>,
    object_url: impl Fn(&ModelEntry, &str) -> String,
    may_delete: impl Fn(&ModelEntry) -> bool,
) -> quiver_orm::Result<Collected> {
    let mut collected = Collected::default();
    add_count(&mut collected, entry.meta.verbose_name_plural, pks.len() as u64);
    let mut frontier: Vec<(&ModelEntry, Vec<Value>)> = vec![(entry, pks)];
    for _ in 0..DEPTH {
        let mut next = Vec::new();
        for (target, keys) in frontier {
            if keys.is_empty() {
                continue;
            }
            for other in &site.entries {
                for field in other.meta.fields {
                    let Some(relation) = field.relation else { continue };
                    if (relation.model)().table != target.meta.table {
                        continue;
                    }
                    let q = Q::path_in(format!("{}__in", field.name), keys.clone());
                    let query = RowsQuery {
                        q,
                        order: Vec::new(),
                        offset: 0,
                        limit: Some(10_000),
                        names: repr_names(other),
                    };
                    let rows = other.ops.rows(db, query).await?;
                    if rows.is_empty() {
                        continue;
                    }
                    let found = |row: &Map<String, Json>| {
                        let key = row.get(other.meta.pk_field().name).map(key_text);
                        Found {
                            model: crate::values::humanize(other.meta.verbose_name),
                            repr: repr(other, row),
                            url: key.map(|k| object_url(other, &k)),
                        }
                    };
                    match relation.on_delete {
                        OnDelete::Cascade => {
                            let plural = crate::values::humanize(other.meta.verbose_name_plural);
                            if !may_delete(other) && !collected.needs_permission.contains(&plural) {
                                collected.needs_permission.push(plural);
                            }
                            add_count(
                                &mut collected,
                                other.meta.verbose_name_plural,
                                rows.len() as u64,
                            );
                            let mut keys = Vec::new();
                            for row in &rows {
                                if collected.deleted.len() < LISTED {
                                    collected.deleted.push(found(row));
                                } else {
                                    collected.more += 1;
                                }
                                if let Some(key) = row
                                    .get(other.meta.pk_field().name)
                                    .and_then(|k| parse_key(other.meta, &key_text(k)))
                                {
                                    keys.push(key);
                                }
                            }
                            next.push((other, keys));
                        }
                        OnDelete::Protect | OnDelete::Restrict | OnDelete::DoNothing => {
                            collected.protected.extend(rows.iter().take(LISTED).map(found));
                        }
                        OnDelete::SetNull | OnDelete::SetDefault => {}
                    }
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(collected)
}

fn add_count(collected: &mut Collected, model: &str, n: u64) {
    match collected.summary.iter_mut().find(|(name, _)| *name == crate::values::humanize(model)) {
        Some((_, count)) => *count += n,
        None => collected.summary.push((crate::values::humanize(model), n)),
    }
}
