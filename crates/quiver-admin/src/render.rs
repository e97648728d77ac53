//! The admin's templates (built in, each replaceable from a folder) and static files.

use std::path::Path;

use http::{HeaderValue, StatusCode, header};
use minijinja::Environment;
use quiver_core::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The built-in templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    ("admin/base.html", include_str!("../templates/admin/base.html")),
    ("admin/login.html", include_str!("../templates/admin/login.html")),
    ("admin/index.html", include_str!("../templates/admin/index.html")),
    ("admin/change_list.html", include_str!("../templates/admin/change_list.html")),
    ("admin/change_form.html", include_str!("../templates/admin/change_form.html")),
    ("admin/delete_confirmation.html", include_str!("../templates/admin/delete_confirmation.html")),
    ("admin/action_confirmation.html", include_str!("../templates/admin/action_confirmation.html")),
    ("admin/history.html", include_str!("../templates/admin/history.html")),
    ("admin/password_change.html", include_str!("../templates/admin/password_change.html")),
    ("admin/error.html", include_str!("../templates/admin/error.html")),
    ("admin/confirm_form.html", include_str!("../templates/admin/confirm_form.html")),
];

/// The static files: (name, content type, body).
pub(crate) const STATIC: &[(&str, &str, &str)] = &[
    ("admin.css", "text/css; charset=utf-8", include_str!("../static/admin.css")),
    ("admin.js", "text/javascript; charset=utf-8", include_str!("../static/admin.js")),
];

/// The loaded templates.
pub(crate) struct Templates {
    env: Environment<'static>,
    /// A short hash of the static files, appended to their URLs so browsers may cache them
    /// for a year and still get a new version at once.
    pub version: String,
}

impl Templates {
    /// The built-in templates, replaced by `dir/admin/<name>` where such a file exists.
    pub(crate) fn load(dir: Option<&Path>) -> Result<Templates, String> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        for (name, source) in TEMPLATES {
            let source = match dir.map(|d| d.join(name)) {
                Some(path) if path.is_file() => std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                _ => (*source).to_owned(),
            };
            env.add_template_owned(*name, source).map_err(|e| format!("{name}: {e}"))?;
        }
        let mut hash = Sha256::new();
        for (_, _, body) in STATIC {
            hash.update(body.as_bytes());
        }
        let version = hash.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
        Ok(Templates { env, version })
    }

    /// Renders template `name` with `context` into an HTML answer.
    pub(crate) fn page(
        &self,
        status: StatusCode,
        name: &str,
        context: minijinja::Value,
    ) -> Response {
        let rendered = self.env.get_template(name).and_then(|t| t.render(context));
        match rendered {
            Ok(html) => {
                let mut response = (status, html).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                // Pages show private data: never cache them.
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store, private"));
                response
            }
            Err(error) => {
                tracing::error!(template = name, %error, "admin template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "the admin page could not be rendered")
                    .into_response()
            }
        }
    }
}

/// A static file, cached for a year (its URL changes with its content).
pub(crate) fn static_file(name: &str) -> Option<Response> {
    let (_, content_type, body) = STATIC.iter().find(|(n, _, _)| *n == name)?;
    let mut response = (*body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_compiles() {
        let templates = Templates::load(None).unwrap();
        for (name, _) in TEMPLATES {
            templates.env.get_template(name).unwrap();
        }
        assert_eq!(templates.version.len(), 12);
    }
}
