//! The files `quiver new` and `quiver startapp` write: the templates in `template/`, built into
//! the binary, with `{{placeholder}}`s (no spaces inside the braces) replaced. Jinja's
//! `{{ value }}` in the page templates keeps its spaces and is left alone.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One file of a template: where it goes in the new folder (placeholders allowed) and its text.
pub struct File {
    /// The path, `/`-separated.
    pub path: &'static str,
    /// The text.
    pub text: &'static str,
}

macro_rules! files {
    ($root:literal: $($path:literal => $source:literal),* $(,)?) => {
        &[$(File { path: $path, text: include_str!(concat!("../template/", $root, "/", $source)) }),*]
    };
}

/// A new project (`quiver new`). `Cargo.toml` and `.gitignore` have other names in `template/`
/// so that neither cargo nor git takes them for this repository's own.
pub const PROJECT: &[File] = files!["project":
    "Cargo.toml" => "Cargo.toml.tmpl",
    ".gitignore" => "gitignore.tmpl",
    "README.md" => "README.md",
    "quiver.toml" => "quiver.toml",
    "src/main.rs" => "src/main.rs",
    "src/lib.rs" => "src/lib.rs",
    "src/models.rs" => "src/models.rs",
    "src/api.rs" => "src/api.rs",
    "src/pages.rs" => "src/pages.rs",
    "migrations/0001_initial.toml" => "migrations/0001_initial.toml",
    "templates/base.html" => "templates/base.html",
    "templates/home.html" => "templates/home.html",
    "static/css/site.css" => "static/css/site.css",
    "tests/app.rs" => "tests/app.rs",
];

/// A new app in a project (`quiver startapp`).
pub const APP: &[File] = files!["app":
    "src/{{app}}/mod.rs" => "mod.rs",
    "src/{{app}}/models.rs" => "models.rs",
    "src/{{app}}/api.rs" => "api.rs",
    "migrations/{{app}}/0001_initial.toml" => "0001_initial.toml",
];

/// `text` with each `{{key}}` of `values` replaced by its value.
pub fn render(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = text.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

/// The `{{placeholder}}`s in `text`.
#[cfg(test)]
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        let end = rest.find("}}").unwrap_or(0);
        let key = &rest[..end];
        if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            found.push(key);
        }
    }
    found
}

/// Writes `files` under `root` with `values` filled in; never replaces a file. The paths
/// written, relative to `root`.
pub fn write(root: &Path, files: &[File], values: &[(&str, &str)]) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for file in files {
        let relative = PathBuf::from(render(file.path, values));
        let path = root.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        out.write_all(render(file.text, values).as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(relative);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{APP, File, PROJECT, placeholders, render};

    /// Every file under `dir`.
    fn files_in(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { found.extend(files_in(&path)) } else { found.push(path) }
        }
        found
    }

    #[test]
    fn every_file_in_the_template_folders_is_written() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("template");
        for (folder, files) in [("project", PROJECT), ("app", APP)] {
            let on_disk = files_in(&root.join(folder));
            assert_eq!(on_disk.len(), files.len(), "{folder}: {on_disk:?}");
            for path in on_disk {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    files.iter().any(|f: &File| f.text == text),
                    "{} is not in the list",
                    path.display()
                );
            }
        }
    }

    #[test]
    fn placeholders_are_replaced_and_jinja_is_left_alone() {
        let text = "name = \"{{name}}\" {{ note.text }} {{name}}{{other}}";
        let out = render(text, &[("name", "blog")]);
        assert_eq!(out, "name = \"blog\" {{ note.text }} blog{{other}}");
        assert_eq!(placeholders(text), ["name", "name", "other"]);
    }

    #[test]
    fn every_placeholder_in_the_templates_is_one_the_commands_fill() {
        // `new` fills these two; `startapp` fills `app` and `App`.
        for file in PROJECT {
            for key in placeholders(file.path).into_iter().chain(placeholders(file.text)) {
                assert!(
                    ["name", "quiver_dependency"].contains(&key),
                    "{}: {{{{{key}}}}}",
                    file.path
                );
            }
        }
        for file in APP {
            for key in placeholders(file.path).into_iter().chain(placeholders(file.text)) {
                assert!(["app", "App"].contains(&key), "{}: {{{{{key}}}}}", file.path);
            }
        }
    }
}
