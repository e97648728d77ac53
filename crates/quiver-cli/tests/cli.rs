//! The `quiver` command as a user runs it: its help (snapshots), the project `new` writes, the
//! app `startapp` adds, and the refusals, each with its exit status and message. That the
//! project builds and passes its own tests is checked by `.ci/run` (`quiver new` then
//! `cargo test` in the new folder).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `quiver args...` in `dir`.
fn quiver(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quiver"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the quiver binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Every file under `dir`, relative, `/`-separated, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                out.push(relative.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn manifest(dir: &Path) -> toml::Table {
    std::fs::read_to_string(dir.join("Cargo.toml")).unwrap().parse().unwrap()
}

/// The Quiver crate of this checkout.
fn quiver_crate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../quiver").canonicalize().unwrap()
}

/// A new project `name` in a temporary folder; the folder and the project's path.
fn new_project(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let output = quiver(tmp.path(), &["new", name]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dir = tmp.path().join(name);
    (tmp, dir)
}

#[test]
fn help_is_snapshot_tested() {
    let here = Path::new(".");
    insta::assert_snapshot!("help", stdout(&quiver(here, &["--help"])));
    insta::assert_snapshot!("new_help", stdout(&quiver(here, &["new", "--help"])));
    insta::assert_snapshot!("startapp_help", stdout(&quiver(here, &["startapp", "--help"])));
}

#[test]
fn new_writes_a_project_named_after_it_that_depends_on_this_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    let output = quiver(tmp.path(), &["new", "blog"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("new_output", stdout(&output));

    let dir = tmp.path().join("blog");
    assert_eq!(
        files(&dir),
        [
            ".gitignore",
            "Cargo.toml",
            "README.md",
            "migrations/0001_initial.toml",
            "quiver.toml",
            "src/api.rs",
            "src/lib.rs",
            "src/main.rs",
            "src/models.rs",
            "src/pages.rs",
            "static/css/site.css",
            "templates/base.html",
            "templates/home.html",
            "tests/app.rs",
        ]
    );
    let manifest = manifest(&dir);
    assert_eq!(manifest["package"]["name"].as_str(), Some("blog"));
    assert!(manifest.contains_key("workspace"), "the project is a workspace of its own");
    let quiver_path = manifest["dependencies"]["quiver"]["path"].as_str().unwrap();
    assert_eq!(Path::new(quiver_path), quiver_crate());

    // Every placeholder is filled in; the templates' own `{{ value }}`s are left alone.
    for file in files(&dir) {
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        assert!(!text.contains("{{name}}") && !text.contains("{{quiver_dependency}}"), "{file}");
    }
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains(r#"pub const LABEL: &str = "blog";"#), "{lib}");
    let migration = std::fs::read_to_string(dir.join("migrations/0001_initial.toml")).unwrap();
    assert!(migration.contains(r#"table = "blog_note""#), "{migration}");
    let home = std::fs::read_to_string(dir.join("templates/home.html")).unwrap();
    assert!(home.contains("{{ note.text }}"), "{home}");
}

#[test]
fn the_new_projects_dependencies_are_the_versions_this_workspace_uses() {
    let (_tmp, dir) = new_project("shop");
    let root: toml::Table =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml"))
            .unwrap()
            .parse()
            .unwrap();
    let workspace = &root["workspace"]["dependencies"];
    let manifest = manifest(&dir);
    for (table, name) in [
        ("dependencies", "schemars"),
        ("dependencies", "serde"),
        ("dependencies", "validator"),
        ("dev-dependencies", "tokio"),
    ] {
        assert_eq!(manifest[table][name], workspace[name], "{name} in [{table}]");
    }
}

#[test]
fn new_writes_into_path_and_into_an_empty_folder() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    let output = quiver(tmp.path(), &["new", "notes", "--path", "empty"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("cd empty"), "{}", stdout(&output));
    assert_eq!(manifest(&tmp.path().join("empty"))["package"]["name"].as_str(), Some("notes"));
    assert!(!tmp.path().join("notes").exists());
}

#[test]
fn quiver_path_takes_a_checkout_or_its_crate_and_refuses_anything_else() {
    let tmp = tempfile::tempdir().unwrap();
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let output = quiver(tmp.path(), &["new", "a", "--quiver-path", checkout.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let quiver_path = manifest(&tmp.path().join("a"))["dependencies"]["quiver"]["path"].clone();
    assert_eq!(quiver_path.as_str().map(Path::new), Some(quiver_crate().as_path()));

    let output = quiver(tmp.path(), &["new", "b", "--quiver-path", "no/such/folder"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: --quiver-path no/such/folder: no Quiver crate there; give a Quiver checkout or \
         its crates/quiver folder\n"
    );
    assert!(!tmp.path().join("b").exists(), "nothing is written");
}

#[test]
fn new_refuses_names_that_are_not_crate_names_and_says_what_would_do() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, message) in [
        ("my-app", "use underscores instead (`my_app`)"),
        ("MyApp", "use `myapp`"),
        ("2fast", "must start with a letter"),
        ("fn", "is a Rust keyword"),
        ("test", "is reserved"),
        ("quiver", "would shadow the `quiver` crate"),
        ("auth", "Quiver's own auth app"),
    ] {
        let output = quiver(tmp.path(), &["new", name]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let error = stderr(&output);
        assert!(
            error.starts_with(&format!("error: invalid value '{name}' for '<NAME>'")),
            "{error}"
        );
        assert!(error.contains(message), "{name}: {error}");
    }
    assert!(files(tmp.path()).is_empty(), "nothing is written");
}

#[test]
fn new_refuses_a_folder_that_is_not_empty_and_leaves_it_alone() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("blog")).unwrap();
    std::fs::write(tmp.path().join("blog/notes.txt"), "mine").unwrap();
    let output = quiver(tmp.path(), &["new", "blog"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "error: blog already exists and is not empty; pick another name, or --path for another \
         folder\n"
    );
    assert_eq!(files(&tmp.path().join("blog")), ["notes.txt"]);

    std::fs::write(tmp.path().join("file"), "").unwrap();
    let output = quiver(tmp.path(), &["new", "shop", "--path", "file"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("file already exists and is not a folder"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn startapp_adds_an_app_and_prints_the_lines_that_install_it() {
    let (_tmp, dir) = new_project("site");
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let before = files(&dir);

    let output = quiver(&dir, &["startapp", "blog"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("startapp_output", stdout(&output));

    let added: Vec<String> = files(&dir).into_iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(
        added,
        [
            "migrations/blog/0001_initial.toml",
            "src/blog/api.rs",
            "src/blog/mod.rs",
            "src/blog/models.rs"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
        lib,
        "lib.rs is the user's"
    );
    let models = std::fs::read_to_string(dir.join("src/blog/models.rs")).unwrap();
    assert!(models.contains("pub struct BlogItem {"), "{models}");
    assert!(models.contains(r#"table = "blog_item""#), "{models}");
    let module = std::fs::read_to_string(dir.join("src/blog/mod.rs")).unwrap();
    assert!(module.contains(r#"include_str!("../../migrations/blog/0001_initial.toml")"#));
}

#[test]
fn startapp_refuses_taken_and_bad_names_and_folders_that_are_not_projects() {
    let (tmp, dir) = new_project("site");
    assert!(quiver(&dir, &["startapp", "blog"]).status.success());

    let again = quiver(&dir, &["startapp", "blog"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(stderr(&again), "error: src/blog already exists; pick another name for the app\n");

    let module = quiver(&dir, &["startapp", "models"]);
    assert_eq!(module.status.code(), Some(1));
    assert_eq!(
        stderr(&module),
        "error: src/models.rs already exists; pick another name for the app\n"
    );

    let own = quiver(&dir, &["startapp", "site"]);
    assert_eq!(own.status.code(), Some(1));
    assert!(stderr(&own).contains("`site` is the project's own name"), "{}", stderr(&own));

    let framework = quiver(&dir, &["startapp", "auth"]);
    assert_eq!(framework.status.code(), Some(2));
    assert!(stderr(&framework).contains("Quiver's own auth app"), "{}", stderr(&framework));

    let bad = quiver(&dir, &["startapp", "my-blog"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("(`my_blog`)"), "{}", stderr(&bad));

    let outside = quiver(tmp.path(), &["startapp", "shop"]);
    assert_eq!(outside.status.code(), Some(1));
    assert!(stderr(&outside).contains("is not a Quiver project"), "{}", stderr(&outside));
    assert!(!tmp.path().join("src").exists());
}
