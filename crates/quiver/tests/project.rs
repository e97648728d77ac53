//! The app binary's command line (`quiver::Project`) as a user runs it: help on every command
//! (snapshots), `routes`, `openapi`, the schema commands on the project's apps, `check --deploy`
//! from a settings file, and clear errors for bad input. Serving itself is tested on the
//! showcase's real binary (`examples/showcase/tests/binary.rs`).

use quiver::prelude::*;
use quiver::settings::NoExtra;

/// A note.
#[derive(Model, Debug)]
#[model(table = "notes_note")]
pub struct Note {
    /// Its key.
    pub id: Auto<i64>,
    /// Its title.
    #[field(max_length = 80)]
    pub title: String,
}

/// One note.
#[get("/notes/{id}", tag = "notes")]
async fn note(#[path] id: i64) -> Json<i64> {
    Json(id)
}

/// A page.
#[get("/", hidden)]
async fn home() -> Html<&'static str> {
    Html("<h1>notes</h1>")
}

fn project() -> Project<NoExtra> {
    Project::new("notes")
        .about("A note-taking app")
        .apps([
            quiver::manage::App::auth(),
            quiver::manage::App {
                label: "notes",
                dir: None,
                embedded: None,
                models: vec![Note::meta()],
            },
        ])
        .app(|ctx: &ProjectContext| {
            App::new().title("Notes").state(ctx.db.clone()).routes(routes![note, home])
        })
}

/// Runs `notes <args>` in a fresh folder (`--settings`/`--migrations` point into it).
struct Folder(std::path::PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir =
            std::env::temp_dir().join(format!("quiver-project-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }

    fn run(&self, args: &str, input: &str) -> (i32, String) {
        let db = self.0.join("db.sqlite3");
        let migrations = self.0.join("migrations");
        let mut argv = vec!["notes".to_owned(), format!("--database=sqlite://{}", db.display())];
        argv.push(format!("--migrations={}", migrations.display()));
        argv.extend(args.split_whitespace().map(str::to_owned));
        let mut out = Vec::new();
        let status = project().run_with(argv, &mut input.as_bytes(), &mut out);
        (status, String::from_utf8(out).unwrap())
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn help(args: &[&str]) -> String {
    let mut out = Vec::new();
    let argv = std::iter::once("notes").chain(args.iter().copied());
    assert_eq!(project().run_with(argv, &mut std::io::empty(), &mut out), 0);
    String::from_utf8(out).unwrap()
}

#[test]
fn help_lists_every_command_and_each_command_has_its_own() {
    let top = help(&["--help"]);
    for command in [
        "runserver",
        "routes",
        "openapi",
        "dbshell",
        "makemigrations",
        "migrate",
        "showmigrations",
        "createsuperuser",
        "changepassword",
        "clearsessions",
        "check",
        "sqlmigrate",
    ] {
        assert!(top.contains(&format!("  {command} ")), "{command} missing from:\n{top}");
        insta::assert_snapshot!(format!("help_{command}"), help(&[command, "--help"]));
    }
    insta::assert_snapshot!("help", top);
}

#[test]
fn a_mistyped_command_is_an_error_naming_it() {
    let folder = Folder::new("typo");
    let (status, out) = folder.run("migrat", "");
    assert_eq!(status, 2);
    assert!(out.contains("unrecognized subcommand 'migrat'"), "{out}");
    assert!(out.contains("migrate"), "suggests the right one: {out}");
}

#[test]
fn routes_lists_method_path_and_name_marking_what_openapi_leaves_out() {
    let folder = Folder::new("routes");
    let (status, out) = folder.run("routes", "");
    assert_eq!(status, 0, "{out}");
    insta::assert_snapshot!("routes", out);
}

#[test]
fn openapi_prints_the_document_or_writes_it_to_a_file() {
    let folder = Folder::new("openapi");
    let (status, out) = folder.run("openapi", "");
    assert_eq!(status, 0, "{out}");
    let document: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(document["info"]["title"], "Notes");
    assert!(document["paths"]["/notes/{id}"]["get"].is_object());
    assert!(document["paths"].get("/").is_none(), "hidden pages stay out");
    assert!(document["paths"].get("/healthz").is_none(), "operations stay out");

    let file = folder.0.join("openapi.json");
    let (status, out) = folder.run(&format!("openapi --output {}", file.display()), "");
    assert_eq!((status, out), (0, format!("Wrote {}\n", file.display())));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(written, document);
}

#[test]
fn the_schema_commands_work_on_the_projects_apps() {
    let folder = Folder::new("schema");
    let (status, out) = folder.run("makemigrations notes", "");
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Migration 0001_initial"), "{out}");
    assert!(folder.0.join("migrations/0001_initial.toml").exists());

    let (status, out) = folder.run("showmigrations", "");
    assert_eq!(status, 0, "{out}");
    assert!(
        out.contains(" [ ] auth.0001_initial") && out.contains(" [ ] notes.0001_initial"),
        "{out}"
    );

    let (status, out) = folder.run("sqlmigrate notes.0001_initial", "");
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("CREATE TABLE IF NOT EXISTS \"notes_note\""), "{out}");

    let (status, out) = folder.run("migrate", "");
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Applied auth.0001_initial\n"), "{out}");
    assert!(out.contains("Applied notes.0001_initial\n"), "{out}");
    assert!(out.contains("Created "), "the auth app's permissions: {out}");

    let (status, out) = folder.run("migrate", "");
    assert_eq!((status, out.as_str()), (0, "No migrations to apply.\n"));

    let (status, out) = folder.run("createsuperuser --noinput --username root", "");
    assert_eq!(status, 1);
    assert!(
        out.contains("QUIVER_SUPERUSER_PASSWORD"),
        "names where the password comes from: {out}"
    );
    let (status, out) = folder.run(
        "createsuperuser",
        "root\nroot@example.com\na-long-root-passphrase\na-long-root-passphrase\n",
    );
    assert_eq!(status, 0, "{out}");
    assert!(out.starts_with("Username: Email address: Password: Password (again): "), "{out}");
    let (status, out) =
        folder.run("changepassword root", "another-long-passphrase\nanother-long-passphrase\n");
    assert_eq!(status, 0, "{out}");
    let (status, out) = folder.run("clearsessions", "");
    assert_eq!((status, out.as_str()), (0, "Deleted 0 expired sessions.\n"));
}

#[test]
fn check_deploy_reads_the_settings_file_and_names_each_fix() {
    let folder = Folder::new("check");
    let settings = folder.0.join("quiver.toml");
    std::fs::write(&settings, "[default]\nallowed_hosts = [\"*\"]\nsecret_key = \"short\"\n")
        .unwrap();
    let (status, out) = folder.run(&format!("check --settings {}", settings.display()), "");
    assert_eq!((status, out.as_str()), (0, "System check identified no issues.\n"));
    let (status, out) =
        folder.run(&format!("check --deploy --settings {}", settings.display()), "");
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("allowed hosts include \"*\""), "{out}");
    assert!(out.contains("HTTPS"), "{out}");
    assert!(!out.contains("short\""), "the secret itself is never printed: {out}");
}

#[test]
fn bad_settings_stop_the_command_with_the_setting_named() {
    let folder = Folder::new("settings");
    let settings = folder.0.join("quiver.toml");
    std::fs::write(&settings, "[default]\nbind = \"everywhere\"\n").unwrap();
    let (status, out) = folder.run(&format!("routes --settings {}", settings.display()), "");
    assert_eq!(status, 1);
    assert!(out.contains("setting `bind` is \"everywhere\""), "{out}");
    let (status, out) = folder.run("routes --settings /nonexistent/quiver.toml", "");
    assert_eq!(
        (status, out.as_str()),
        (1, "error: there is no settings file /nonexistent/quiver.toml\n")
    );
}

#[test]
fn runserver_refuses_zero_workers_and_an_address_in_use() {
    let folder = Folder::new("runserver");
    let (status, out) = folder.run("runserver --workers 0", "");
    assert_eq!((status, out.as_str()), (1, "error: --workers must be at least 1\n"));
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let (status, out) = folder.run(&format!("runserver --no-migrate --bind {addr}"), "");
    assert_eq!(status, 1, "{out}");
    assert!(out.contains(&format!("cannot listen on {addr}")), "{out}");
    assert!(out.contains("--bind"), "says how to fix it: {out}");
}

#[test]
fn an_app_whose_folder_is_missing_migrates_from_its_built_in_copy() {
    // Its files are written by makemigrations into the folder and built into the binary; a
    // deployed binary runs where the folder is not.
    let folder = Folder::new("embedded");
    assert_eq!(folder.run("makemigrations notes", "").0, 0);
    let text = std::fs::read_to_string(folder.0.join("migrations/0001_initial.toml")).unwrap();
    let embedded: &'static [(&'static str, &'static str)] =
        Box::leak(Box::new([("0001_initial", &*Box::leak(text.into_boxed_str()))]));
    let project = |dir: std::path::PathBuf| {
        Project::<NoExtra>::new("notes").apps([quiver::manage::App {
            label: "notes",
            dir: Some(dir),
            embedded: Some(embedded),
            models: vec![Note::meta()],
        }])
    };
    let database = format!("--database=sqlite://{}", folder.0.join("db.sqlite3").display());
    let mut out = Vec::new();
    let gone = folder.0.join("not-deployed");
    let status =
        project(gone).run_with(["notes", &database, "migrate"], &mut std::io::empty(), &mut out);
    let out = String::from_utf8(out).unwrap();
    assert_eq!((status, out.as_str()), (0, "Applied notes.0001_initial\n"));
}
