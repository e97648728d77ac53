//! `quiver new NAME`: a project folder that builds and tests on its own.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::template;

/// The Quiver crate next to this one in the checkout it was built from.
const BUILT_FROM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../quiver");

/// What `new` made.
#[derive(Debug)]
pub struct NewProject {
    /// The project's name.
    pub name: String,
    /// Its folder, as given (relative to where the command ran).
    pub dir: PathBuf,
    /// The files written, relative to `dir`.
    pub files: Vec<PathBuf>,
}

/// Writes project `name` into `path` (default: `./name`), depending on the Quiver crate at
/// `quiver_path` (default: the checkout this binary was built from).
pub fn run(
    name: &str,
    path: Option<PathBuf>,
    quiver_path: Option<PathBuf>,
) -> Result<NewProject, String> {
    let dir = path.unwrap_or_else(|| PathBuf::from(name));
    check_free(&dir)?;
    let quiver = quiver_crate(quiver_path)?;
    let dependency = format!("{{ path = {} }}", toml_string(&quiver.display().to_string()));
    let values = [("name", name), ("quiver_dependency", dependency.as_str())];
    let files = template::write(&dir, template::PROJECT, &values)?;
    Ok(NewProject { name: name.to_owned(), dir, files })
}

/// What to tell the user: the files, then how to run and test the project.
pub fn summary(project: &NewProject) -> String {
    let dir = project.dir.display();
    let mut out = format!("Created project `{}` in {dir}:\n", project.name);
    for file in &project.files {
        let _ = writeln!(out, "  {}", file.display());
    }
    let _ = write!(
        out,
        "\nNext:\n  cd {dir}\n  cargo run        \
         # serves http://127.0.0.1:8000/ (the page) and /docs (the API)\n  cargo test       \
         # checks the API, the page and the migrations\n"
    );
    out
}

/// The folder of the Quiver crate to depend on, absolute: `given` (the crate, or a checkout
/// holding it in `crates/quiver`) or the one this program was built from.
fn quiver_crate(given: Option<PathBuf>) -> Result<PathBuf, String> {
    let (candidate, explicit) = match given {
        Some(path) => (path, true),
        None => (PathBuf::from(BUILT_FROM), false),
    };
    let found = [candidate.clone(), candidate.join("crates").join("quiver")]
        .into_iter()
        .find(|dir| is_quiver_crate(dir))
        .and_then(|dir| dir.canonicalize().ok());
    match (found, explicit) {
        (Some(dir), _) => Ok(dir),
        (None, true) => Err(format!(
            "--quiver-path {}: no Quiver crate there; give a Quiver checkout or its \
             crates/quiver folder",
            candidate.display()
        )),
        (None, false) => Err(format!(
            "the Quiver checkout this program was built from is gone ({}); give another with \
             --quiver-path",
            candidate.display()
        )),
    }
}

/// Whether `dir` holds the `quiver` package's manifest.
fn is_quiver_crate(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "name = \"quiver\""))
}

/// Refuses a folder that exists and is not empty (or is not a folder).
fn check_free(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()) {
        Ok(true) => Ok(()),
        Ok(false) => Err(format!(
            "{} already exists and is not empty; pick another name, or --path for another folder",
            dir.display()
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(format!(
            "{} already exists and is not a folder; pick another name, or --path for another folder",
            dir.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", dir.display())),
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::toml_string;

    #[test]
    fn windows_paths_and_quotes_stay_valid_toml() {
        assert_eq!(toml_string(r"C:\src\quiver"), r#""C:\\src\\quiver""#);
        assert_eq!(toml_string("a\"b"), r#""a\"b""#);
        assert_eq!(toml_string("tab\there"), r#""tab\u0009here""#);
    }
}
