//! `quiver startapp NAME`: an app folder in the project, and the lines that install it (printed,
//! not written: `src/lib.rs` is the user's).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::template;

/// What `startapp` made.
#[derive(Debug)]
pub struct NewApp {
    /// The app's name (its module and its label).
    pub name: String,
    /// The files written, relative to the project.
    pub files: Vec<PathBuf>,
}

/// Adds app `name` to the project in `project`.
pub fn run(project: &Path, name: &str) -> Result<NewApp, String> {
    let package = project_name(project)?;
    if package == name {
        return Err(format!(
            "`{name}` is the project's own name, the label of its models in src/models.rs; \
             pick another name for the app"
        ));
    }
    for taken in [format!("src/{name}"), format!("src/{name}.rs"), format!("migrations/{name}")] {
        if project.join(&taken).exists() {
            return Err(format!("{taken} already exists; pick another name for the app"));
        }
    }
    let model_prefix = camel_case(name);
    let files =
        template::write(project, template::APP, &[("app", name), ("App", model_prefix.as_str())])?;
    Ok(NewApp { name: name.to_owned(), files })
}

/// What to tell the user: the files, and the lines to add to `src/lib.rs`.
pub fn summary(app: &NewApp) -> String {
    let name = &app.name;
    let mut out = format!("Created app `{name}`:\n");
    for file in &app.files {
        let _ = writeln!(out, "  {}", file.display());
    }
    let lines = [
        (format!("pub mod {name};"), "with the other modules"),
        (format!("{name}::app(),"), "in apps(), inside vec![...]"),
        (format!(".include({name}::api::router())"), "in app(), on the App"),
    ];
    let width = lines.iter().map(|(line, _)| line.len()).max().unwrap_or(0);
    out.push_str("\nTo install it, add these lines to src/lib.rs (it was not changed):\n");
    for (line, place) in lines {
        let _ = write!(out, "\n    {line:width$}  // {place}\n");
    }
    let _ = write!(
        out,
        "\nThen `cargo test` also checks the app's migrations against its models. After a model \
         changes,\n`cargo run -- makemigrations {name}` writes the next migration into \
         migrations/{name}/.\n"
    );
    out
}

/// The package name in the project's `Cargo.toml`; refuses a folder that is not a project.
fn project_name(project: &Path) -> Result<String, String> {
    let not_a_project = || {
        format!(
            "{} is not a Quiver project (no Cargo.toml and src/lib.rs); run `quiver startapp` in \
             the folder `quiver new` made",
            project.display()
        )
    };
    if !project.join("src/lib.rs").is_file() {
        return Err(not_a_project());
    }
    let manifest =
        std::fs::read_to_string(project.join("Cargo.toml")).map_err(|_| not_a_project())?;
    let manifest: toml::Table =
        manifest.parse().map_err(|e| format!("Cargo.toml does not parse: {e}"))?;
    manifest
        .get("package")
        .and_then(|package| package.get("name"))
        .and_then(|name| name.as_str())
        .map(str::to_owned)
        .ok_or_else(not_a_project)
}

/// `my_shop` → `MyShop`: the prefix of the app's model names (a model's name is unique in the
/// project, whichever app it is in).
fn camel_case(name: &str) -> String {
    name.split('_')
        .flat_map(|part| {
            let mut chars = part.chars();
            chars.next().map(|first| first.to_ascii_uppercase()).into_iter().chain(chars)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn model_names_are_the_app_name_in_camel_case() {
        assert_eq!(camel_case("blog"), "Blog");
        assert_eq!(camel_case("my_shop2"), "MyShop2");
        assert_eq!(camel_case("a__b_"), "AB");
    }
}
