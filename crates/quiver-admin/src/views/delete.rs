//! Deleting: a confirmation page listing what the cascade removes (or what protects the
//! objects), then the delete, logged.

use http::{Method, StatusCode};
use quiver_core::extract::Request;
use quiver_core::response::Response;
use quiver_orm::ErrorKind;
use sea_query::Value;
use serde_json::{Value as Json, json};

use super::index::load_row;
use super::{Ctx, FormData, Perm, internal, redirect};
use crate::collect::{collect, keys_q, names_of, parse_key, repr_names};
use crate::models::Action;
use crate::site::ModelEntry;

/// `<key>/delete/`: confirm, then delete one object.
pub(crate) async fn delete_view(
    ctx: &Ctx,
    entry: &ModelEntry,
    key: &str,
    method: Method,
    request: Request,
) -> Response {
    if !ctx.can(entry, Perm::Delete) {
        return ctx.error(StatusCode::FORBIDDEN, "You don't have permission to delete this.").await;
    }
    match load_row(ctx, entry, key, repr_names(entry)).await {
        Ok(Some(_)) => {}
        Ok(None) => return ctx.error(StatusCode::NOT_FOUND, "That object does not exist.").await,
        Err(error) => return internal(error),
    }
    let pk = parse_key(entry.meta, key).expect("load_row parsed it");
    let confirmed = method == Method::POST
        && match FormData::read(request, &ctx.app).await {
            Ok(form) => form.get("post") == Some("yes"),
            Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
        };
    let cancel = ctx.object_url(entry, key);
    confirm_and_delete(ctx, entry, vec![pk], confirmed, Vec::new(), cancel).await
}

/// Shows what deleting the rows with keys `pks` does or, when `confirmed`, deletes them (one
/// transaction, one history entry each) and goes back to the change list.
pub(crate) async fn confirm_and_delete(
    ctx: &Ctx,
    entry: &ModelEntry,
    pks: Vec<Value>,
    confirmed: bool,
    hidden: Vec<(String, String)>,
    cancel_url: String,
) -> Response {
    let objects = match names_of(&ctx.db, entry, keys_q(entry.meta, pks.clone()), None).await {
        Ok(objects) => objects,
        Err(error) => return internal(error),
    };
    let url = |e: &ModelEntry, k: &str| ctx.object_url(e, k);
    let may_delete = |e: &ModelEntry| ctx.can(e, Perm::Delete);
    let collected = match collect(&ctx.site, &ctx.db, entry, pks.clone(), url, may_delete).await {
        Ok(collected) => collected,
        Err(error) => return internal(error),
    };
    if !collected.needs_permission.is_empty() {
        // Django's rule: a delete that would cascade into objects the user may not delete
        // is refused, naming what they lack.
        let message = format!(
            "Deleting these would also delete related objects you don't have permission to delete: {}.",
            collected.needs_permission.join(", ")
        );
        return ctx.error(StatusCode::FORBIDDEN, &message).await;
    }
    if confirmed && collected.protected.is_empty() {
        let done = ctx
            .db
            .atomic(|_tx| async {
                let n = entry.ops.delete(&ctx.db, keys_q(entry.meta, pks.clone())).await?;
                for (key, name) in &objects {
                    ctx.log(entry, key, name, Action::Deletion, "").await?;
                }
                Ok::<u64, quiver_orm::Error>(n)
            })
            .await;
        return match done {
            Ok(n) => {
                let text = match objects.as_slice() {
                    [(_, name)] => format!("The {} “{name}” was deleted successfully.", entry.meta.verbose_name),
                    _ => format!("Successfully deleted {n} {}.", entry.meta.verbose_name_plural),
                };
                ctx.message("success", text).await;
                redirect(&ctx.model_url(entry))
            }
            Err(error) if matches!(error.kind(), ErrorKind::ForeignKeyViolation { .. }) => {
                ctx.error(
                    StatusCode::CONFLICT,
                    "The delete was refused by the database: other rows still point at these objects.",
                )
                .await
            }
            Err(error) => internal(error),
        };
    }
    let status = if collected.protected.is_empty() { StatusCode::OK } else { StatusCode::CONFLICT };
    let objects: Vec<Json> = objects
        .iter()
        .map(|(key, name)| json!({"repr": name, "url": ctx.object_url(entry, key)}))
        .collect();
    let summary: Vec<Json> = collected
        .summary
        .iter()
        .map(|(model, count)| json!({"model": model, "count": count}))
        .collect();
    let mut hidden: Vec<Json> =
        hidden.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
    hidden.dedup();
    let extra = json!({
        "model": {"name": entry.meta.verbose_name, "name_plural": entry.meta.verbose_name_plural, "url": ctx.model_url(entry)},
        "objects": objects,
        "summary": summary,
        "deleted": collected.deleted,
        "more": collected.more,
        "protected": collected.protected,
        "hidden": hidden,
        "cancel_url": cancel_url,
    });
    let crumbs = vec![
        (crate::values::humanize(entry.meta.verbose_name_plural), Some(ctx.model_url(entry))),
        ("Delete".to_owned(), None),
    ];
    ctx.page(status, "admin/delete_confirmation.html", "Are you sure?", crumbs, extra).await
}
