//! The change list: search, filters, sortable columns, pagination and bulk actions, plus the
//! search-as-you-type endpoint foreign-key inputs use.

use chrono::{Datelike, Duration, Utc};
use http::{Method, StatusCode};
use quiver_core::extract::Request;
use quiver_core::response::{IntoResponse, Response};
use quiver_orm::{ColumnType, FieldMeta, ModelMeta, Q};
use sea_query::Value;
use serde_json::{Value as Json, json};

use crate::collect::{keys_q, names_of, parse_key, title_field};
use crate::ops::RowsQuery;
use crate::site::ModelEntry;
use crate::values::{Cell, display, humanize, key_text, parse, value_type};
use crate::views::{Ctx, FormData, Perm, internal, query_string, redirect};

/// Follows `path` (`author__name`) through the relations of `meta` to its last field.
pub(crate) fn resolve(meta: &'static ModelMeta, path: &str) -> Option<&'static FieldMeta> {
    let mut meta = meta;
    let mut parts = path.split("__").peekable();
    while let Some(part) = parts.next() {
        let field = meta.field(part)?;
        if parts.peek().is_none() {
            return Some(field);
        }
        meta = (field.relation?.model)();
    }
    None
}

/// Checks a registration's names against its model, at start-up.
pub(crate) fn check_config(entry: &ModelEntry) -> Result<(), String> {
    let meta = entry.meta;
    let config = &entry.config;
    let names = || meta.fields.iter().map(|f| f.name).collect::<Vec<_>>().join(", ");
    let computed = |name: &str| config.computed.iter().any(|(n, _)| n == name);
    for name in &config.list_display {
        if !computed(name) && resolve(meta, name).is_none() {
            return Err(format!(
                "list_display names `{name}`, which is not a field, a related path or a column() of {} (fields: {})",
                meta.name,
                names()
            ));
        }
    }
    for name in &config.search_fields {
        let path = name.trim_start_matches(['^', '=']);
        if resolve(meta, path).is_none() {
            return Err(format!(
                "search_fields names `{name}`, which is not a field or related path of {} (fields: {})",
                meta.name,
                names()
            ));
        }
    }
    for name in &config.list_filter {
        let Some(field) = meta.field(name) else {
            return Err(format!(
                "list_filter names `{name}`, which is not a field of {} (fields: {})",
                meta.name,
                names()
            ));
        };
        let filterable = field.relation.is_some()
            || !field.choices.is_empty()
            || matches!(
                field.column_type,
                ColumnType::Bool
                    | ColumnType::Date
                    | ColumnType::DateTime
                    | ColumnType::TimestampTz
            );
        if !filterable {
            return Err(format!(
                "list_filter `{name}`: only booleans, choices, foreign keys and dates can be filtered"
            ));
        }
    }
    let m2m = |name: &str| meta.many_to_many.iter().any(|m| m.name == name);
    for name in config
        .readonly_fields
        .iter()
        .chain(&config.exclude)
        .chain(config.fieldsets.iter().flat_map(|(_, fields)| fields))
    {
        if meta.field(name).is_none() && !m2m(name) {
            return Err(format!(
                "`{name}` in a form option is not a field of {} (fields: {})",
                meta.name,
                names()
            ));
        }
    }
    for name in &config.ordering {
        if resolve(meta, name.trim_start_matches('-')).is_none() {
            return Err(format!("ordering names `{name}`, which is not a field of {}", meta.name));
        }
    }
    if let Some(name) = &config.title_field
        && meta.field(name).is_none()
    {
        return Err(format!("title_field `{name}` is not a field of {}", meta.name));
    }
    Ok(())
}

/// One column: its name (a path or a computed column's name), heading and whether it sorts.
struct Column {
    name: String,
    label: String,
    field: Option<&'static FieldMeta>,
    computed: Option<usize>,
}

fn columns(entry: &ModelEntry) -> Vec<Column> {
    let config = &entry.config;
    let mut names = config.list_display.clone();
    if names.is_empty() {
        names.push(title_field(entry).unwrap_or(entry.meta.pk_field().name).to_owned());
    }
    for (name, _) in &config.computed {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
        .into_iter()
        .map(|name| match config.computed.iter().position(|(n, _)| *n == name) {
            Some(index) => Column {
                label: config.computed[index].1.clone(),
                name,
                field: None,
                computed: Some(index),
            },
            None => Column {
                label: humanize(&name),
                field: resolve(entry.meta, &name),
                name,
                computed: None,
            },
        })
        .collect()
}

/// A URL of the change list with the current query changed: `None` removes a key.
fn url_with(ctx: &Ctx, entry: &ModelEntry, changes: &[(&str, Option<String>)]) -> String {
    let mut pairs: Vec<(String, String)> = ctx
        .query
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(name, _)| name == k))
        .cloned()
        .collect();
    for (name, value) in changes {
        if let Some(value) = value {
            pairs.push(((*name).to_owned(), value.clone()));
        }
    }
    format!("{}{}", ctx.model_url(entry), query_string(&pairs))
}

/// The filter parameters of the query (`published__exact=1`), checked against `list_filter`.
fn filters_q(ctx: &Ctx, entry: &ModelEntry) -> Result<Q, String> {
    let mut q = Q::all();
    for (key, text) in &ctx.query {
        if matches!(key.as_str(), "q" | "o" | "p" | "_popup") {
            continue;
        }
        let (name, lookup) = key.rsplit_once("__").unwrap_or((key.as_str(), "exact"));
        let field = entry
            .config
            .list_filter
            .iter()
            .find(|f| *f == name)
            .and_then(|f| entry.meta.field(f))
            .ok_or_else(|| format!("Unknown filter “{key}”."))?;
        let bad = |_| format!("“{text}” is not a valid value for the filter “{name}”.");
        q = q & match lookup {
            "exact" => Q::path(field.name, parse(value_type(field), text).map_err(bad)?),
            "isnull" => Q::path(format!("{name}__isnull"), text == "1" || text == "True"),
            "gte" | "lt" => {
                let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                    .map_err(|_| format!("“{text}” is not a date."))?;
                let value: Value = match field.column_type {
                    ColumnType::Date => quiver_orm::FieldType::to_value(&day),
                    ColumnType::DateTime => quiver_orm::FieldType::to_value(
                        &day.and_hms_opt(0, 0, 0).expect("midnight"),
                    ),
                    _ => quiver_orm::FieldType::to_value(
                        &day.and_hms_opt(0, 0, 0).expect("midnight").and_utc(),
                    ),
                };
                Q::path(format!("{name}__{lookup}"), value)
            }
            _ => return Err(format!("Unknown filter “{key}”.")),
        };
    }
    Ok(q)
}

/// The search box: every word must match one of the search fields.
fn search_q(entry: &ModelEntry, text: &str) -> Q {
    let mut q = Q::all();
    for word in text.split_whitespace() {
        let mut any: Option<Q> = None;
        for name in &entry.config.search_fields {
            let one = if let Some(path) = name.strip_prefix('^') {
                Q::path(format!("{path}__istarts_with"), word)
            } else if let Some(path) = name.strip_prefix('=') {
                Q::path(format!("{path}__iexact"), word)
            } else {
                Q::path(format!("{name}__icontains"), word)
            };
            any = Some(match any {
                Some(previous) => previous | one,
                None => one,
            });
        }
        if let Some(any) = any {
            q = q & any;
        }
    }
    q
}

/// The sidebar's filters.
async fn filter_choices(ctx: &Ctx, entry: &ModelEntry) -> Vec<Json> {
    let mut filters = Vec::new();
    for name in &entry.config.list_filter {
        let Some(field) = entry.meta.field(name) else { continue };
        let exact = format!("{name}__exact");
        let isnull = format!("{name}__isnull");
        let (gte, lt) = (format!("{name}__gte"), format!("{name}__lt"));
        let clear: Vec<(&str, Option<String>)> =
            vec![(&exact, None), (&isnull, None), (&gte, None), (&lt, None), ("p", None)];
        let mut choices = Vec::new();
        let current = |key: &str| ctx.param(key).map(str::to_owned);
        let mut choice = |label: String, set: Vec<(&str, String)>| {
            let selected = if set.is_empty() {
                [&exact, &isnull, &gte, &lt].iter().all(|k| current(k).is_none())
            } else {
                set.iter().all(|(k, v)| current(k).as_deref() == Some(v))
                    && [&exact, &isnull, &gte, &lt]
                        .iter()
                        .all(|k| current(k).is_none() || set.iter().any(|(s, _)| s == *k))
            };
            let mut changes = clear.clone();
            for (key, value) in set {
                changes.retain(|(k, _)| *k != key);
                changes.push((key, Some(value)));
            }
            choices.push(json!({"label": label, "url": url_with(ctx, entry, &changes), "selected": selected}));
        };
        choice("All".into(), Vec::new());
        if let Some(relation) = field.relation {
            let target = (relation.model)();
            if let Some(target_entry) = ctx.site.entry_for(target)
                && let Ok(rows) = names_of(&ctx.db, target_entry, Q::all(), Some(200)).await
            {
                for (key, name) in rows {
                    choice(name, vec![(&exact, key)]);
                }
            }
        } else if !field.choices.is_empty() {
            for (stored, label) in field.choices {
                choice((*label).to_owned(), vec![(&exact, (*stored).to_owned())]);
            }
        } else if field.column_type == ColumnType::Bool {
            choice("Yes".into(), vec![(&exact, "1".into())]);
            choice("No".into(), vec![(&exact, "0".into())]);
        } else {
            let today = Utc::now().date_naive();
            let tomorrow = today + Duration::days(1);
            let month = today.with_day(1).expect("day 1");
            let year = month.with_month(1).expect("month 1");
            let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
            for (label, from) in [
                ("Today", today),
                ("Past 7 days", today - Duration::days(7)),
                ("This month", month),
                ("This year", year),
            ] {
                choice(label.into(), vec![(&gte, day(from)), (&lt, day(tomorrow))]);
            }
        }
        if field.nullable {
            let label = if field.column_type == ColumnType::Date
                || field.column_type == ColumnType::DateTime
                || field.column_type == ColumnType::TimestampTz
            {
                ("No date", "Has date")
            } else {
                ("Unknown", "Known")
            };
            choice(label.0.into(), vec![(&isnull, "1".into())]);
            choice(label.1.into(), vec![(&isnull, "0".into())]);
        }
        filters.push(json!({"title": humanize(name).to_lowercase(), "choices": choices}));
    }
    filters
}

/// The change list page, and the bulk actions posted from it.
pub(crate) async fn changelist(
    ctx: &Ctx,
    entry: &ModelEntry,
    method: Method,
    request: Request,
) -> Response {
    if !ctx.can(entry, Perm::View) {
        return ctx
            .error(StatusCode::FORBIDDEN, "You don't have permission to view this model.")
            .await;
    }
    if method == Method::POST {
        return action(ctx, entry, request).await;
    }
    let filters = match filters_q(ctx, entry) {
        Ok(q) => q,
        Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
    };
    // NUL cannot be stored in text anywhere, so no row contains it: drop it from the search.
    let search = ctx.param("q").unwrap_or("").replace('\0', "").trim().to_owned();
    let q = filters & search_q(entry, &search);
    let columns = columns(entry);
    let pk_name = entry.meta.pk_field().name;

    // Ordering: the clicked columns (`o=2.-1`), then the configured order, then the key.
    let clicked: Vec<(usize, bool)> = ctx
        .param("o")
        .unwrap_or("")
        .split('.')
        .filter_map(|part| {
            let desc = part.starts_with('-');
            let index: usize = part.trim_start_matches('-').parse().ok()?;
            let column = columns.get(index.checked_sub(1)?)?;
            (column.computed.is_none()).then_some((index - 1, desc))
        })
        .collect();
    let mut order: Vec<String> = clicked
        .iter()
        .map(|(i, desc)| format!("{}{}", if *desc { "-" } else { "" }, columns[*i].name))
        .collect();
    let default: Vec<String> = if entry.config.ordering.is_empty() {
        entry.meta.ordering.iter().map(|s| (*s).to_owned()).collect()
    } else {
        entry.config.ordering.clone()
    };
    order.extend(default);
    if !order.iter().any(|o| o.trim_start_matches('-') == pk_name) {
        order.push(format!("-{pk_name}"));
    }

    let per_page = entry.config.per_page;
    let count = match entry.ops.count(&ctx.db, q.clone()).await {
        Ok(n) => n,
        Err(error) => return internal(error),
    };
    let filtered = ctx.query.iter().any(|(k, _)| k != "o" && k != "p");
    let total = if filtered {
        match entry.ops.count(&ctx.db, Q::all()).await {
            Ok(n) => n,
            Err(error) => return internal(error),
        }
    } else {
        count
    };
    let pages = count.div_ceil(per_page).max(1);
    let page: u64 = match ctx.param("p").map(str::parse::<u64>) {
        None => 1,
        Some(Ok(p)) if (1..=pages).contains(&p) => p,
        Some(_) => return ctx.error(StatusCode::NOT_FOUND, "That page does not exist.").await,
    };

    let mut names = vec![pk_name.to_owned()];
    for column in &columns {
        if column.computed.is_none() && !names.contains(&column.name) {
            names.push(column.name.clone());
        }
    }
    let query = RowsQuery { q, order, offset: (page - 1) * per_page, limit: Some(per_page), names };
    let rows = match entry.ops.rows(&ctx.db, query).await {
        Ok(rows) => rows,
        Err(error) => return internal(error),
    };
    let keys: Vec<Value> = rows
        .iter()
        .filter_map(|row| row.get(pk_name).and_then(|k| parse_key(entry.meta, &key_text(k))))
        .collect();
    let computed = match entry.ops.computed(&ctx.db, keys).await {
        Ok(computed) => computed,
        Err(error) => return internal(error),
    };
    // Foreign-key columns show the related object's name, one query per column.
    let mut related: Vec<Option<Vec<(String, String)>>> = Vec::new();
    for column in &columns {
        let names = match column.field.and_then(|f| f.relation) {
            Some(relation) if !column.name.contains("__") || column.field.is_some() => {
                let target = (relation.model)();
                match ctx.site.entry_for(target) {
                    Some(target_entry) => {
                        let keys: Vec<Value> = rows
                            .iter()
                            .filter_map(|row| row.get(&column.name))
                            .filter_map(|k| parse_key(target, &key_text(k)))
                            .collect();
                        let q = keys_q(target, keys);
                        match names_of(&ctx.db, target_entry, q, None).await {
                            Ok(found) => Some(found),
                            Err(error) => return internal(error),
                        }
                    }
                    None => None,
                }
            }
            _ => None,
        };
        related.push(names);
    }
    let rows: Vec<Json> = rows
        .iter()
        .map(|row| {
            let key = row.get(pk_name).map(key_text).unwrap_or_default();
            let cells: Vec<Cell> = columns
                .iter()
                .zip(&related)
                .map(|(column, related)| match column.computed {
                    Some(index) => computed
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, texts)| Cell::text(texts[index].clone()))
                        .unwrap_or_else(|| Cell::text("")),
                    None => {
                        let value = row.get(&column.name).unwrap_or(&Json::Null);
                        match related.as_ref().and_then(|names| {
                            names
                                .iter()
                                .find(|(k, _)| *k == key_text(value))
                                .map(|(_, n)| n.clone())
                        }) {
                            Some(name) => Cell::text(name),
                            None => display(value, column.field),
                        }
                    }
                })
                .collect();
            json!({"pk": key, "url": ctx.object_url(entry, &key), "cells": cells})
        })
        .collect();

    let header: Vec<Json> = columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let sorted = clicked
                .iter()
                .find(|(c, _)| *c == i)
                .map(|(_, desc)| if *desc { "desc" } else { "asc" });
            let primary_desc = clicked.first().filter(|(c, _)| *c == i).map(|(_, d)| *d);
            let mut keys = vec![match primary_desc {
                Some(false) => format!("-{}", i + 1),
                _ => format!("{}", i + 1),
            }];
            keys.extend(
                clicked
                    .iter()
                    .filter(|(c, _)| *c != i)
                    .map(|(c, d)| format!("{}{}", if *d { "-" } else { "" }, c + 1)),
            );
            let others: Vec<String> = clicked
                .iter()
                .filter(|(c, _)| *c != i)
                .map(|(c, d)| format!("{}{}", if *d { "-" } else { "" }, c + 1))
                .collect();
            let remove = (!others.is_empty() || sorted.is_some()).then(|| {
                let value = (!others.is_empty()).then(|| others.join("."));
                url_with(ctx, entry, &[("o", value), ("p", None)])
            });
            json!({
                "label": column.label,
                "sortable": column.computed.is_none(),
                "sort_url": url_with(ctx, entry, &[("o", Some(keys.join("."))), ("p", None)]),
                "sorted": sorted,
                "remove_url": if sorted.is_some() { remove } else { None },
            })
        })
        .collect();

    let mut actions = Vec::new();
    if ctx.can(entry, Perm::Delete) {
        actions.push(json!({"name": "delete_selected", "label": format!("Delete selected {}", entry.meta.verbose_name_plural)}));
    }
    if ctx.can(entry, Perm::Change) {
        for (name, label) in &entry.config.actions {
            actions.push(json!({"name": name, "label": label}));
        }
    }
    let page_links: Vec<Json> = page_numbers(page, pages)
        .into_iter()
        .map(|n| match n {
            Some(n) => json!({"number": n, "url": url_with(ctx, entry, &[("p", Some(n.to_string()))]), "current": n == page}),
            None => json!({"number": null, "url": null, "current": false}),
        })
        .collect();
    let hidden: Vec<Json> = ctx
        .query
        .iter()
        .filter(|(k, _)| k != "q" && k != "p")
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let search_help = entry
        .config
        .search_fields
        .iter()
        .map(|f| humanize(f.trim_start_matches(['^', '='])).to_lowercase())
        .collect::<Vec<_>>()
        .join(", ");
    let any_filter = ctx.query.iter().any(|(k, _)| k != "o" && k != "p" && k != "q");
    let extra = json!({
        "model": model_json(ctx, entry),
        "search": {"enabled": !entry.config.search_fields.is_empty(), "value": search, "help": search_help, "hidden": hidden},
        "actions": actions,
        "columns": header,
        "rows": rows,
        "empty": rows.is_empty(),
        "filters": filter_choices(ctx, entry).await,
        "clear_filters_url": any_filter.then(|| url_with(ctx, entry, &ctx.query.iter().filter(|(k, _)| k != "o").map(|(k, _)| (k.as_str(), None)).collect::<Vec<_>>())),
        "pagination": {
            "count": count,
            "total": total,
            "filtered": filtered,
            "page": page,
            "pages": pages,
            "prev_url": (page > 1).then(|| url_with(ctx, entry, &[("p", Some((page - 1).to_string()))])),
            "next_url": (page < pages).then(|| url_with(ctx, entry, &[("p", Some((page + 1).to_string()))])),
            "page_links": page_links,
        },
    });
    let crumbs = vec![(crate::values::humanize(entry.meta.verbose_name_plural), None)];
    let title = format!("Select {} to change", entry.meta.verbose_name);
    ctx.page(StatusCode::OK, "admin/change_list.html", &title, crumbs, extra).await
}

/// The model's names and URLs, for templates.
pub(crate) fn model_json(ctx: &Ctx, entry: &ModelEntry) -> Json {
    json!({
        "name": entry.meta.verbose_name,
        "name_plural": entry.meta.verbose_name_plural,
        "url": ctx.model_url(entry),
        "add_url": ctx.can(entry, Perm::Add).then(|| format!("{}add/", ctx.model_url(entry))),
    })
}

/// Page numbers to link: the first two, two around the current one, the last two.
fn page_numbers(page: u64, pages: u64) -> Vec<Option<u64>> {
    let mut numbers: Vec<u64> =
        (1..=pages).filter(|n| *n <= 2 || *n + 2 > pages || n.abs_diff(page) <= 2).collect();
    numbers.dedup();
    let mut out = Vec::new();
    let mut last = 0;
    for n in numbers {
        if n > last + 1 {
            out.push(None);
        }
        out.push(Some(n));
        last = n;
    }
    out
}

/// A bulk action posted from the change list: confirm, then run.
async fn action(ctx: &Ctx, entry: &ModelEntry, request: Request) -> Response {
    let form = match FormData::read(request, &ctx.app).await {
        Ok(form) => form,
        Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
    };
    let back = format!("{}{}", ctx.model_url(entry), query_string(&ctx.query));
    let name = form.get("action").unwrap_or("").to_owned();
    let selected: Vec<String> =
        form.all("_selected_action").into_iter().map(str::to_owned).collect();
    if name.is_empty() {
        ctx.message("warning", "No action selected.").await;
        return redirect(&back);
    }
    if selected.is_empty() {
        ctx.message(
            "warning",
            "Items must be selected in order to perform actions on them. No items have been changed.",
        )
        .await;
        return redirect(&back);
    }
    let Some(keys) =
        selected.iter().map(|k| parse_key(entry.meta, k)).collect::<Option<Vec<Value>>>()
    else {
        return ctx.error(StatusCode::BAD_REQUEST, "A selected key is not valid.").await;
    };
    let confirmed = form.get("post") == Some("yes");
    let mut hidden = vec![("action".to_owned(), name.clone())];
    hidden.extend(selected.iter().map(|k| ("_selected_action".to_owned(), k.clone())));
    if name == "delete_selected" {
        if !ctx.can(entry, Perm::Delete) {
            return ctx
                .error(StatusCode::FORBIDDEN, "You don't have permission to delete these.")
                .await;
        }
        return crate::views::delete::confirm_and_delete(ctx, entry, keys, confirmed, hidden, back)
            .await;
    }
    let Some(index) = entry.config.actions.iter().position(|(n, _)| *n == name) else {
        return ctx.error(StatusCode::BAD_REQUEST, &format!("Unknown action “{name}”.")).await;
    };
    if !ctx.can(entry, Perm::Change) {
        return ctx
            .error(StatusCode::FORBIDDEN, "You don't have permission to change these.")
            .await;
    }
    let label = entry.config.actions[index].1.clone();
    if confirmed {
        let result = ctx.db.atomic(|_tx| entry.ops.run_action(&ctx.db, index, keys.clone())).await;
        match result {
            Ok(message) => ctx.message("success", message).await,
            Err(error) => {
                tracing::warn!(%error, action = name, "admin action failed");
                ctx.message("error", format!("“{label}” failed: nothing was changed.")).await;
            }
        }
        return redirect(&back);
    }
    let objects: Vec<Json> = match names_of(&ctx.db, entry, keys_q(entry.meta, keys), None).await {
        Ok(rows) => rows
            .iter()
            .map(|(key, name)| json!({"repr": name, "url": ctx.object_url(entry, key)}))
            .collect(),
        Err(error) => return internal(error),
    };
    let hidden: Vec<Json> = hidden.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
    let extra = json!({
        "model": model_json(ctx, entry),
        "action": {"name": name, "label": label},
        "objects": objects,
        "hidden": hidden,
        "cancel_url": back,
    });
    let crumbs = vec![
        (crate::values::humanize(entry.meta.verbose_name_plural), Some(ctx.model_url(entry))),
        (label.clone(), None),
    ];
    ctx.page(StatusCode::OK, "admin/action_confirmation.html", "Are you sure?", crumbs, extra).await
}

/// `autocomplete/?term=ad`: up to 20 objects whose title field contains the term, as JSON
/// `{"results": [{"id": "1", "text": "Ada"}]}` (for foreign-key inputs).
pub(crate) async fn autocomplete(ctx: &Ctx, entry: &ModelEntry) -> Response {
    // Whoever may fill a form with a foreign key to this model may search it.
    let points_here = |other: &ModelEntry| {
        other
            .meta
            .fields
            .iter()
            .any(|f| f.relation.is_some_and(|r| (r.model)().table == entry.meta.table))
    };
    let allowed = ctx.can(entry, Perm::View)
        || ctx.site.entries.iter().any(|other| {
            points_here(other) && (ctx.can(other, Perm::Add) || ctx.can(other, Perm::Change))
        });
    if !allowed {
        return StatusCode::FORBIDDEN.into_response();
    }
    let term = ctx.param("term").unwrap_or("").replace('\0', "");
    let term = term.trim();
    let mut q = Q::all();
    if !term.is_empty() {
        q = if entry.config.search_fields.is_empty() {
            match title_field(entry) {
                Some(name) => Q::path(format!("{name}__icontains"), term),
                None => Q::all(),
            }
        } else {
            search_q(entry, term)
        };
    }
    match names_of(&ctx.db, entry, q, Some(20)).await {
        Ok(rows) => {
            let results: Vec<Json> =
                rows.iter().map(|(key, name)| json!({"id": key, "text": name})).collect();
            quiver_core::extract::Json(json!({"results": results})).into_response()
        }
        Err(error) => internal(error),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_page_ranges_are_elided() {
        let pages = super::page_numbers(10, 20);
        assert_eq!(
            pages,
            vec![
                Some(1),
                Some(2),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(19),
                Some(20)
            ]
        );
    }
}
