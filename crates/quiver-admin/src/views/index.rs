//! The index (apps, models, recent actions) and each object's history.

use http::StatusCode;
use quiver_core::response::Response;
use quiver_orm::prelude::*;
use serde_json::{Value as Json, json};

use super::{Ctx, Perm, content_type, internal};
use crate::collect::{parse_key, repr, repr_names};
use crate::models::{Action, LogEntry};
use crate::ops::RowsQuery;
use crate::site::ModelEntry;
use crate::values::humanize;

/// The site's front page: every app and model the user may see, and their recent actions.
pub(crate) async fn index(ctx: &Ctx) -> Response {
    let mut apps: Vec<(String, Vec<Json>)> = Vec::new();
    let mut visible = Vec::new();
    for entry in &ctx.site.entries {
        if !ctx.can(entry, Perm::View) && !ctx.can(entry, Perm::Add) {
            continue;
        }
        visible.push(content_type(entry));
        let model = json!({
            "name": humanize(entry.meta.verbose_name_plural),
            "url": ctx.model_url(entry),
            "add_url": ctx.can(entry, Perm::Add).then(|| format!("{}add/", ctx.model_url(entry))),
        });
        match apps.iter_mut().find(|(label, _)| *label == entry.app_label) {
            Some((_, models)) => models.push(model),
            None => apps.push((entry.app_label.clone(), vec![model])),
        }
    }
    apps.sort_by(|a, b| a.0.cmp(&b.0));
    let apps: Vec<Json> = apps
        .into_iter()
        .map(|(label, models)| json!({"label": label, "name": humanize(&label), "models": models}))
        .collect();
    let user = ctx.user().id.value();
    let recent = match LogEntry::objects()
        .filter(LogEntry::USER.eq(user))
        .filter(LogEntry::CONTENT_TYPE.in_(visible))
        .limit(10)
        .all(&ctx.db)
        .await
    {
        Ok(entries) => entries,
        Err(error) => return internal(error),
    };
    let recent: Vec<Json> = recent
        .iter()
        .map(|log| {
            let entry = ctx.site.entries.iter().find(|e| content_type(e) == log.content_type);
            let action = Action::from_flag(log.action_flag).unwrap_or(Action::Change);
            json!({
                "action": action.name(),
                "repr": log.object_repr,
                "model_name": entry.map(|e| humanize(e.meta.verbose_name)).unwrap_or_default(),
                "url": entry
                    .filter(|_| action != Action::Deletion)
                    .map(|e| ctx.object_url(e, &log.object_id)),
                "time": log.action_time.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
        })
        .collect();
    let title = "Site administration";
    ctx.page(
        StatusCode::OK,
        "admin/index.html",
        title,
        Vec::new(),
        json!({"apps": apps, "recent": recent}),
    )
    .await
}

/// Loads the row with key `key` as a map of `names`, or `None`.
pub(crate) async fn load_row(
    ctx: &Ctx,
    entry: &ModelEntry,
    key: &str,
    names: Vec<String>,
) -> quiver_orm::Result<Option<serde_json::Map<String, Json>>> {
    let Some(pk) = parse_key(entry.meta, key) else { return Ok(None) };
    let query = RowsQuery {
        q: Q::path(entry.meta.pk_field().name, pk),
        order: Vec::new(),
        offset: 0,
        limit: Some(1),
        names,
    };
    Ok(entry.ops.rows(&ctx.db, query).await?.into_iter().next())
}

/// `<key>/history/`: who changed the object, when, and what.
pub(crate) async fn history(ctx: &Ctx, entry: &ModelEntry, key: &str) -> Response {
    let row = match load_row(ctx, entry, key, repr_names(entry)).await {
        Ok(Some(row)) => row,
        Ok(None) => return ctx.error(StatusCode::NOT_FOUND, "That object does not exist.").await,
        Err(error) => return internal(error),
    };
    let logs = LogEntry::objects()
        .filter(LogEntry::CONTENT_TYPE.eq(content_type(entry)))
        .filter(
            LogEntry::OBJECT_ID.eq(row
                .get(entry.meta.pk_field().name)
                .map(crate::values::key_text)
                .unwrap_or_else(|| key.to_owned())),
        )
        .order_by([LogEntry::ACTION_TIME.asc(), LogEntry::ID.asc()])
        .select_related(LogEntry::USER)
        .all(&ctx.db)
        .await;
    let logs = match logs {
        Ok(logs) => logs,
        Err(error) => return internal(error),
    };
    let entries: Vec<Json> = logs
        .iter()
        .map(|log| {
            json!({
                "time": log.action_time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                "user": log.user.get().map(|u| u.username.clone()).unwrap_or_default(),
                "action": Action::from_flag(log.action_flag).unwrap_or(Action::Change).name(),
                "message": log.change_message,
            })
        })
        .collect();
    let name = repr(entry, &row);
    let url = ctx.object_url(entry, key);
    let crumbs = vec![
        (crate::values::humanize(entry.meta.verbose_name_plural), Some(ctx.model_url(entry))),
        (name.clone(), Some(url.clone())),
        ("History".to_owned(), None),
    ];
    let extra = json!({"object": {"repr": name, "url": url}, "entries": entries});
    ctx.page(
        StatusCode::OK,
        "admin/history.html",
        &format!("Change history: {name}"),
        crumbs,
        extra,
    )
    .await
}
