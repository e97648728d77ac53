//! The admin's pages: one handler takes every URL under the prefix and dispatches on its
//! segments, so the site can move (`AdminSite::prefix`) without new routes.

mod account;
mod body;
pub(crate) mod delete;
pub(crate) mod index;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use http::{HeaderValue, Method, StatusCode, header};
use quiver_auth::permissions::user_permissions;
use quiver_auth::session::Session;
use quiver_auth::{Auth, User};
use quiver_core::extract::Request;
use quiver_core::response::{IntoResponse, Response};
use quiver_core::security::{ClientIp, CsrfToken};
use quiver_core::{AppContext, Route};
use quiver_orm::{Db, FieldType, Model};
use serde_json::{Value as Json, json};

pub(crate) use body::FormData;

use crate::models::{Action, LogEntry};
use crate::render::Templates;
use crate::site::{AdminSite, ModelEntry, SiteState};

/// The routes serving the site under `prefix`.
pub(crate) fn routes(prefix: &str) -> Vec<Route> {
    let mut routes = Vec::new();
    for path in [format!("{prefix}/"), format!("{prefix}/{{*rest}}")] {
        for method in [Method::GET, Method::POST] {
            routes.push(Route::new(method, path.clone(), serve).name("admin").hidden());
        }
    }
    routes.push(Route::new(Method::GET, prefix.to_owned(), redirect_to_root).hidden());
    routes
}

async fn redirect_to_root(app: AppContext) -> Response {
    match app.state::<SiteState>() {
        Some(site) => redirect(&site.0.url()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A 302 to `to`.
pub(crate) fn redirect(to: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Everything a page needs about the request.
pub(crate) struct Ctx {
    pub site: Arc<AdminSite>,
    pub db: Db,
    pub app: AppContext,
    pub session: Session,
    pub user: Option<User>,
    perms: Option<HashSet<String>>,
    pub csrf_field: String,
    /// The query string's pairs.
    pub query: Vec<(String, String)>,
    /// The path and query, for `next=`.
    pub full_path: String,
    pub ip: ClientIp,
}

/// `view`, `add`, `change` or `delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Perm {
    View,
    Add,
    Change,
    Delete,
}

impl Ctx {
    pub(crate) fn auth(&self) -> &Auth {
        self.app.state::<Auth>().expect("checked when the request came in")
    }

    pub(crate) fn templates(&self) -> &Templates {
        self.site.templates.as_ref().expect("loaded when the site was installed")
    }

    pub(crate) fn user(&self) -> &User {
        self.user.as_ref().expect("pages past the login check have a user")
    }

    /// Whether the user may do `perm` on `entry`'s model (`view` is also granted by `change`).
    pub(crate) fn can(&self, entry: &ModelEntry, perm: Perm) -> bool {
        let Some(user) = &self.user else { return false };
        if user.is_superuser {
            return true;
        }
        let Some(perms) = &self.perms else { return false };
        let name = |action: &str| format!("{}.{action}_{}", entry.app_label, entry.model_name);
        match perm {
            Perm::View => perms.contains(&name("view")) || perms.contains(&name("change")),
            Perm::Add => perms.contains(&name("add")),
            Perm::Change => perms.contains(&name("change")),
            Perm::Delete => perms.contains(&name("delete")),
        }
    }

    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// `/admin/blog/article/`.
    pub(crate) fn model_url(&self, entry: &ModelEntry) -> String {
        format!("{}/{}/{}/", self.site.prefix, entry.app_label, entry.model_name)
    }

    /// `/admin/blog/article/7/change/`.
    pub(crate) fn object_url(&self, entry: &ModelEntry, key: &str) -> String {
        format!("{}{}/change/", self.model_url(entry), encode_segment(key))
    }

    /// Adds a message shown on the next page.
    pub(crate) async fn message(&self, level: &str, text: impl Into<String>) {
        let mut messages: Vec<(String, String)> =
            self.session.get(MESSAGES).await.ok().flatten().unwrap_or_default();
        messages.push((level.to_owned(), text.into()));
        let _ = self.session.insert(MESSAGES, messages).await;
    }

    /// Renders `template` with the site's common context plus `extra` (a JSON object).
    pub(crate) async fn page(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        breadcrumbs: Vec<(String, Option<String>)>,
        extra: Json,
    ) -> Response {
        let messages: Vec<(String, String)> = match self.session.remove(MESSAGES).await {
            Ok(Some(value)) => serde_json::from_value(value).unwrap_or_default(),
            _ => Vec::new(),
        };
        let prefix = &self.site.prefix;
        let version = &self.templates().version;
        let mut context: BTreeMap<String, minijinja::Value> = BTreeMap::new();
        let mut put = |key: &str, value: Json| {
            context.insert(key.to_owned(), minijinja::Value::from(minijinja::value::Serde(value)));
        };
        put(
            "site",
            json!({
                "title": self.site.title,
                "url": self.site.url(),
                "css_url": format!("{prefix}/static/admin.css?v={version}"),
                "js_url": format!("{prefix}/static/admin.js?v={version}"),
                "logout_url": format!("{prefix}/logout/"),
                "password_change_url": format!("{prefix}/password_change/"),
            }),
        );
        put(
            "user",
            match &self.user {
                Some(user) => json!({"username": user.username, "is_superuser": user.is_superuser}),
                None => Json::Null,
            },
        );
        put(
            "messages",
            messages
                .into_iter()
                .map(|(level, text)| json!({"level": level, "text": text}))
                .collect(),
        );
        put("title", Json::String(title.to_owned()));
        let mut crumbs = vec![json!({"label": "Home", "url": self.site.url()})];
        crumbs.extend(
            breadcrumbs.into_iter().map(|(label, url)| json!({"label": label, "url": url})),
        );
        put("breadcrumbs", Json::Array(crumbs));
        if let Json::Object(extra) = extra {
            for (key, value) in extra {
                put(&key, value);
            }
        }
        context.insert(
            "csrf_field".into(),
            minijinja::Value::from_safe_string(self.csrf_field.clone()),
        );
        self.templates().page(status, template, minijinja::Value::from(context))
    }

    /// An error page (403, 404, 400).
    pub(crate) async fn error(&self, status: StatusCode, message: &str) -> Response {
        let heading = match status {
            StatusCode::FORBIDDEN => "Permission denied",
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::BAD_REQUEST => "Bad request",
            _ => "Error",
        };
        let extra = json!({"status": status.as_u16(), "heading": heading, "message": message});
        self.page(status, "admin/error.html", heading, Vec::new(), extra).await
    }

    /// Records an action in the history.
    pub(crate) async fn log(
        &self,
        entry: &ModelEntry,
        key: &str,
        repr: &str,
        action: Action,
        message: &str,
    ) -> quiver_orm::Result<()> {
        let user = self.user().id.value();
        let values = vec![
            ("user".to_owned(), user.to_value()),
            ("content_type".to_owned(), content_type(entry).to_value()),
            ("object_id".to_owned(), key.to_owned().to_value()),
            ("object_repr".to_owned(), truncate(repr, 200).to_value()),
            ("action_flag".to_owned(), action.flag().to_value()),
            ("change_message".to_owned(), message.to_owned().to_value()),
        ];
        LogEntry::create_from_values(&self.db, values).await.map(drop)
    }
}

const MESSAGES: &str = "_admin_messages";

/// `blog.article`.
pub(crate) fn content_type(entry: &ModelEntry) -> String {
    format!("{}.{}", entry.app_label, entry.model_name)
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// A URL path segment with the characters that would change its meaning escaped.
pub(crate) fn encode_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Undoes `%XX` escapes (invalid ones are kept as they are).
pub(crate) fn decode_segment(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A query string with `pairs`.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    format!("?{}", serde_html_form::to_string(pairs).unwrap_or_default())
}

/// A `next=` target that stays on this site (no `//host` or `https://` escapes).
pub(crate) fn safe_next(next: &str, site: &AdminSite) -> String {
    // Browsers drop tabs and newlines inside URLs (`/\t/evil.example` is `//evil.example`):
    // refuse any control character or space outright, then any scheme-relative form.
    let plain = !next.chars().any(|c| c.is_control() || c.is_whitespace());
    if plain && next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_owned()
    } else {
        site.url()
    }
}

async fn serve(
    app: AppContext,
    session: Session,
    csrf: CsrfToken,
    ip: ClientIp,
    request: Request,
) -> Response {
    let Some(site) = app.state::<SiteState>().map(|s| s.0.clone()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(auth) = app.state::<Auth>() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the admin needs the auth app: App::auth(...)")
            .into_response();
    };
    let db = auth.db().clone();
    let path = request.uri().path().to_owned();
    let full_path = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path.clone(),
    };
    let query: Vec<(String, String)> =
        serde_html_form::from_str(request.uri().query().unwrap_or("")).unwrap_or_default();
    let rest = path.strip_prefix(&site.prefix).unwrap_or("").trim_start_matches('/').to_owned();
    let segments: Vec<String> =
        rest.split('/').filter(|s| !s.is_empty()).map(decode_segment).collect();
    if let Some(name) = rest.strip_prefix("static/") {
        return crate::render::static_file(name)
            .unwrap_or_else(|| StatusCode::NOT_FOUND.into_response());
    }
    let user = match auth.session_user(&session).await {
        Ok(user) => user.filter(|u| u.is_active && u.is_staff),
        Err(error) => return error.into_response(),
    };
    let mut ctx = Ctx {
        site: site.clone(),
        db,
        app: app.clone(),
        session,
        user,
        perms: None,
        csrf_field: csrf.form_field(),
        query,
        full_path,
        ip,
    };
    let method = request.method().clone();
    if !rest.is_empty() && !rest.ends_with('/') {
        if method == Method::GET {
            let query = ctx.full_path.strip_prefix(&path).unwrap_or("").to_owned();
            return redirect(&format!("{path}/{query}"));
        }
        return ctx.error(StatusCode::NOT_FOUND, "Admin URLs end with a slash.").await;
    }
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match segments.as_slice() {
        ["login"] => return account::login(&ctx, method, request).await,
        ["logout"] if method == Method::POST => return account::logout(&ctx).await,
        _ => {}
    }
    if ctx.user.is_none() {
        let next =
            serde_html_form::to_string([("next", ctx.full_path.as_str())]).unwrap_or_default();
        return redirect(&format!("{}/login/?{next}", site.prefix));
    }
    if !ctx.user().is_superuser {
        match user_permissions(&ctx.db, ctx.user()).await {
            Ok(perms) => ctx.perms = Some(perms),
            Err(error) => return internal(error),
        }
    }
    match (segments.as_slice(), method == Method::POST) {
        ([], false) => index::index(&ctx).await,
        (["password_change"], _) => account::password_change(&ctx, method, request).await,
        ([app, model, rest @ ..], post) => {
            let Some(entry) = site.entry(app, model) else {
                return ctx.error(StatusCode::NOT_FOUND, "No such model in this admin site.").await;
            };
            if let (["autocomplete"], false) = (rest, post) {
                return crate::changelist::autocomplete(&ctx, entry).await;
            }
            if !ctx.can(entry, Perm::View) && !ctx.can(entry, Perm::Add) {
                return ctx
                    .error(StatusCode::FORBIDDEN, "You don't have permission to view this model.")
                    .await;
            }
            match (rest, post) {
                ([], _) => crate::changelist::changelist(&ctx, entry, method, request).await,
                (["add"], _) => crate::form::change_form(&ctx, entry, None, method, request).await,
                ([key, "change"], _) => {
                    crate::form::change_form(&ctx, entry, Some(key), method, request).await
                }
                ([key, "delete"], _) => {
                    delete::delete_view(&ctx, entry, key, method, request).await
                }
                ([key, "history"], false) if ctx.can(entry, Perm::View) => {
                    index::history(&ctx, entry, key).await
                }
                ([_, "history"], false) => {
                    ctx.error(StatusCode::FORBIDDEN, "You don't have permission to view this.")
                        .await
                }
                ([key], false) => redirect(&ctx.object_url(entry, key)),
                _ => ctx.error(StatusCode::NOT_FOUND, "No such admin page.").await,
            }
        }
        _ => ctx.error(StatusCode::NOT_FOUND, "No such admin page.").await,
    }
}

/// A database failure: logged, answered with a bare 500.
pub(crate) fn internal(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "admin request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error").into_response()
}
