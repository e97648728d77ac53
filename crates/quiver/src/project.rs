//! The app binary's whole `main`, Django's `manage.py`: settings, database, migrations, the app,
//! and the command line that runs them (`runserver` by default).
//!
//! ```no_run
//! use quiver::prelude::*;
//!
//! /// Say hello.
//! #[get("/hello")]
//! async fn hello() -> &'static str {
//!     "hello"
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     Project::new("hello")
//!         .apps([quiver::manage::App::auth(), quiver::manage::App::admin()])
//!         .app(|ctx: &ProjectContext| {
//!             let auth = ctx.auth.clone().expect("the auth app is in the project");
//!             App::new().state(ctx.db.clone()).auth(auth).admin(AdminSite::new()).routes(routes![hello])
//!         })
//!         .run()
//! }
//! ```
//!
//! `hello --help` lists the commands; `hello` alone serves on the `bind` setting after applying
//! the migrations, and prints where the docs and the admin are.

use std::ffi::OsString;
use std::fmt;
use std::future::Future;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::de::DeserializeOwned;

use crate::auth::Auth;
use crate::manage::{self, Command as ManageCommand};
use crate::ops::{Operations, OpsAppExt};
use crate::orm::Db;
use crate::orm::migrations::{self, Progress, Target};
use crate::settings::{NoExtra, Settings};
use crate::{App, Server};

/// What an error of a seed function or of the project's start-up is.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BuildApp<T> = Arc<dyn Fn(&ProjectContext<T>) -> App + Send + Sync>;
type MakeAuth<T> = Arc<dyn Fn(&Db, &Settings<T>) -> Auth + Send + Sync>;
type Seed<T> = Arc<
    dyn Fn(ProjectContext<T>) -> Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>
        + Send
        + Sync,
>;

/// What the app is built from: the database, the settings, and the auth settings when the
/// project has the auth app.
///
/// ```
/// fn build(ctx: &quiver::ProjectContext) -> quiver::App {
///     quiver::App::new().state(ctx.db.clone()).title(format!("shop ({})", ctx.settings.profile))
/// }
/// ```
#[derive(Debug)]
pub struct ProjectContext<T = NoExtra> {
    /// The database (`database_url`, or `--database`).
    pub db: Db,
    /// The settings, loaded and checked.
    pub settings: Arc<Settings<T>>,
    /// The auth settings, when the project has the auth app ([`Project::auth`]).
    pub auth: Option<Auth>,
}

impl<T> Clone for ProjectContext<T> {
    fn clone(&self) -> Self {
        Self { db: self.db.clone(), settings: self.settings.clone(), auth: self.auth.clone() }
    }
}

/// An app binary: its apps (models and migrations), how its [`App`] is built, and the command
/// line that serves it or runs a project command. See the [module docs](self).
///
/// `T` is the app's own settings, read from the same `quiver.toml` tables and `QUIVER_*`
/// variables as the framework's (see [`Settings`]).
pub struct Project<T = NoExtra> {
    name: String,
    about: Option<String>,
    apps: Vec<manage::App>,
    build: Option<BuildApp<T>>,
    auth: Option<MakeAuth<T>>,
    seed: Option<Seed<T>>,
    links: Vec<(String, String)>,
}

impl<T> fmt::Debug for Project<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Project")
            .field("name", &self.name)
            .field("apps", &self.apps.iter().map(|a| a.label).collect::<Vec<_>>())
            .field("links", &self.links)
            .finish_non_exhaustive()
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Project<T> {
    /// A project whose binary is called `name` (in `--help` and the start-up banner).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            about: None,
            apps: Vec::new(),
            build: None,
            auth: None,
            seed: None,
            links: Vec::new(),
        }
    }

    /// One line saying what the app is, for `--help`.
    pub fn about(mut self, about: impl Into<String>) -> Self {
        self.about = Some(about.into());
        self
    }

    /// The apps whose models and migrations the project has, in dependency order (Django's
    /// `INSTALLED_APPS`): [`manage::App::auth`], [`manage::App::admin`], the project's own.
    pub fn apps(mut self, apps: impl IntoIterator<Item = manage::App>) -> Self {
        self.apps.extend(apps);
        self
    }

    /// How the [`App`] is built from the database and settings. The project then applies the
    /// settings to it (allowed hosts, HTTPS, proxy: [`Settings::configure`]) and adds
    /// `/healthz`, `/readyz` and `/metrics` ([`crate::ops`]).
    pub fn app(
        mut self,
        build: impl Fn(&ProjectContext<T>) -> App + Send + Sync + 'static,
    ) -> Self {
        self.build = Some(Arc::new(build));
        self
    }

    /// The auth settings (default, with the auth app in the project:
    /// `Auth::new(db, secret_key)`); `createsuperuser`, `changepassword` and `clearsessions`
    /// use them too.
    pub fn auth(
        mut self,
        make: impl Fn(&Db, &Settings<T>) -> Auth + Send + Sync + 'static,
    ) -> Self {
        self.auth = Some(Arc::new(make));
        self
    }

    /// Demo or initial data, written once: `runserver` calls it right after migrating an
    /// empty database, so a second start never writes it again. It prints its own progress.
    pub fn seed<F, Fut>(mut self, seed: F) -> Self
    where
        F: Fn(ProjectContext<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), BoxError>> + Send + 'static,
    {
        self.seed = Some(Arc::new(move |ctx| Box::pin(seed(ctx))));
        self
    }

    /// A line of the start-up banner: `label` and the URL of `path` on the server.
    pub fn link(mut self, label: &str, path: &str) -> Self {
        self.links.push((label.to_owned(), path.to_owned()));
        self
    }

    /// Parses the process's arguments and runs the command; the process's exit status.
    pub fn run(self) -> ExitCode {
        let stdin = std::io::stdin();
        let status = self.run_with(std::env::args_os(), &mut stdin.lock(), &mut std::io::stdout());
        ExitCode::from(u8::try_from(status).unwrap_or(1))
    }

    /// [`run`](Self::run) with given arguments (the first is the program's name), input and
    /// output, returning the exit status: for tests and tools. Starts its own Tokio runtime, so
    /// call it outside one.
    ///
    /// ```
    /// use quiver::prelude::*;
    ///
    /// let project = Project::<quiver::settings::NoExtra>::new("shop").app(|_| App::new());
    /// let mut out = Vec::new();
    /// let status = project.run_with(["shop", "--help"], &mut std::io::empty(), &mut out);
    /// assert_eq!(status, 0);
    /// assert!(String::from_utf8(out).unwrap().contains("runserver"));
    /// ```
    pub fn run_with<I, S>(self, args: I, input: &mut dyn BufRead, out: &mut dyn Write) -> i32
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString> + Clone,
    {
        let cli = match self.parse(args) {
            Ok(cli) => cli,
            Err(error) => {
                let _ = write!(out, "{}", error.render());
                return if error.use_stderr() { 2 } else { 0 };
            }
        };
        match self.execute(cli, input, out) {
            Ok(status) => status,
            Err(error) => {
                let _ = writeln!(out, "error: {error}");
                1
            }
        }
    }

    /// The command line, named after the binary.
    fn command(&self) -> clap::Command {
        let about = self.about.clone().unwrap_or_else(|| format!("The {} app", self.name));
        ProjectCli::command().name(self.name.clone()).bin_name(self.name.clone()).about(about)
    }

    fn parse<I, S>(&self, args: I) -> Result<ProjectCli, clap::Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString> + Clone,
    {
        let matches = self.command().try_get_matches_from(args)?;
        ProjectCli::from_arg_matches(&matches)
    }

    fn execute(
        &self,
        cli: ProjectCli,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
    ) -> Result<i32, BoxError> {
        let ProjectCli { database, migrations, settings: file, command } = cli;
        let mut builder = Settings::builder();
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("there is no settings file {}", file.display()).into());
            }
            builder = builder.file(file);
        }
        let mut settings: Settings<T> = builder.load()?;
        if let Some(url) = database {
            settings.database_url = url;
        }
        let command = command.unwrap_or(ProjectCommand::Runserver(RunserverArgs::default()));
        let workers = match &command {
            ProjectCommand::Runserver(args) => args.workers,
            _ => None,
        };
        if matches!(command, ProjectCommand::Runserver(_)) {
            crate::ops::init_logging(settings.log_json);
        }
        let mut runtime = crate::server::runtime_builder();
        if let Some(workers) = workers {
            if workers == 0 {
                return Err("--workers must be at least 1".into());
            }
            runtime.worker_threads(workers);
        }
        let runtime = runtime.build()?;
        let settings = Arc::new(settings);
        runtime.block_on(async move {
            match command {
                ProjectCommand::Runserver(args) => {
                    self.runserver(settings, args, migrations, out).await
                }
                ProjectCommand::Routes => {
                    let app = self.build_app(&self.context(settings).await?)?;
                    print_routes(&app, out)?;
                    Ok(0)
                }
                ProjectCommand::Openapi { output } => {
                    let app = self.build_app(&self.context(settings).await?)?;
                    let text = serde_json::to_string_pretty(&app.openapi())? + "\n";
                    match output {
                        Some(path) => {
                            std::fs::write(&path, text)?;
                            writeln!(out, "Wrote {}", path.display())?;
                        }
                        None => out.write_all(text.as_bytes())?,
                    }
                    Ok(0)
                }
                ProjectCommand::Dbshell => dbshell(&settings.database_url),
                ProjectCommand::Manage(command) => {
                    let project = self.manage_project(&settings, &command).await?;
                    let status = manage::execute_command(
                        &project,
                        &settings.database_url,
                        &migrations,
                        command,
                        input,
                        out,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                    Ok(status)
                }
            }
        })
    }

    /// The app as `runserver` serves it, for tests: the `test` profile's settings (the
    /// `[test]` table of `quiver.toml`; an in-memory SQLite database unless it names another),
    /// every migration applied with the permissions they need, the settings applied and the
    /// operations routes added. Nothing is seeded.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver::prelude::*;
    ///
    /// let project = Project::<quiver::settings::NoExtra>::new("shop")
    ///     .apps([quiver::manage::App::auth()])
    ///     .app(|ctx: &ProjectContext| App::new().state(ctx.db.clone()));
    /// let (ctx, app) = project.test_app().await.unwrap();
    /// assert_eq!(ctx.settings.profile, "test");
    /// let client = TestClient::new(app);
    /// assert_eq!(client.get("/readyz").await.status(), 200);
    /// # });
    /// ```
    pub async fn test_app(&self) -> Result<(ProjectContext<T>, App), BoxError> {
        let settings: Settings<T> = Settings::builder().profile("test").load()?;
        let ctx = self.context(Arc::new(settings)).await?;
        manage::migrate_quietly(&ctx.db, &self.apps, ctx.auth.as_ref()).await?;
        let app = self.build_app(&ctx)?;
        Ok((ctx, app))
    }

    /// Connects to the database and makes the auth settings.
    async fn context(&self, settings: Arc<Settings<T>>) -> Result<ProjectContext<T>, BoxError> {
        let db = Db::connect(&sqlite_creating(&settings.database_url)).await?;
        let auth = self.make_auth(&db, &settings);
        Ok(ProjectContext { db, settings, auth })
    }

    fn make_auth(&self, db: &Db, settings: &Settings<T>) -> Option<Auth> {
        match &self.auth {
            Some(make) => Some(make(db, settings)),
            None if self.apps.iter().any(|a| a.label == "auth") => {
                Some(Auth::new(db, settings.secret_key.expose().as_bytes()))
            }
            None => None,
        }
    }

    fn build_app(&self, ctx: &ProjectContext<T>) -> Result<App, BoxError> {
        let build = self.build.as_ref().ok_or("the project has no app: call Project::app")?;
        let app = ctx.settings.configure(build(ctx));
        Ok(app.operations(Operations::new().database(ctx.db.clone())))
    }

    /// The settings the project commands read; `check` builds the app for its security settings.
    async fn manage_project(
        &self,
        settings: &Arc<Settings<T>>,
        command: &ManageCommand,
    ) -> Result<manage::Project, BoxError> {
        let mut project = manage::Project { apps: self.apps.clone(), ..Default::default() };
        let needs_auth = matches!(
            command,
            ManageCommand::Createsuperuser { .. }
                | ManageCommand::Changepassword { .. }
                | ManageCommand::Clearsessions
                | ManageCommand::Check { .. }
                | ManageCommand::Migrate { .. }
        );
        if needs_auth {
            let ctx = self.context(settings.clone()).await?;
            if matches!(command, ManageCommand::Check { .. }) {
                let app = self.build_app(&ctx)?;
                project.security = app.security_settings().clone();
                project.allowed_hosts = settings.allowed_hosts.clone();
            }
            project.auth = ctx.auth;
        }
        Ok(project)
    }

    /// Migrates (seeding a new database), builds the app and serves it until a signal.
    async fn runserver(
        &self,
        settings: Arc<Settings<T>>,
        args: RunserverArgs,
        migrations: PathBuf,
        out: &mut dyn Write,
    ) -> Result<i32, BoxError> {
        let ctx = self.context(settings.clone()).await?;
        if settings.migrate_on_start && !args.no_migrate {
            let fresh = self.migrate(&ctx.db, &settings, &migrations, out).await?;
            if fresh && let Some(seed) = &self.seed {
                seed(ctx.clone()).await.map_err(|e| format!("seeding the database failed: {e}"))?;
            }
        }
        let app = self.build_app(&ctx)?;
        let bind = args.bind.unwrap_or_else(|| settings.bind.clone());
        let banner = Banner::of(&self.links, &app);
        let server = Server::bind(app, bind.as_str())
            .await
            .map_err(|e| format!("cannot listen on {bind}: {e} (choose another with --bind)"))?;
        banner.print(&self.name, &settings, server.local_addr(), out)?;
        server.run().await?;
        Ok(0)
    }

    /// Applies every pending migration, one line each; whether the database was empty.
    async fn migrate(
        &self,
        db: &Db,
        settings: &Settings<T>,
        folder: &Path,
        out: &mut dyn Write,
    ) -> Result<bool, BoxError> {
        let files = manage::load_all(&self.apps, folder)?;
        let fresh = migrations::applied(db).await?.is_empty();
        let steps = migrations::migrate_reporting(db, &files, &Target::Latest, false, |step| {
            if let Progress::Done(name, _) = step {
                let _ = writeln!(out, "  Applied {name}");
            }
        })
        .await?;
        if !steps.is_empty() {
            writeln!(out, "Migrations: {} applied.", steps.len())?;
            let auth = self.make_auth(db, settings);
            manage::post_migrate(&self.apps, auth.as_ref(), db, out).await?;
        }
        Ok(fresh && !steps.is_empty())
    }
}

/// A SQLite URL that creates its file when missing (the default database on a fresh machine).
fn sqlite_creating(url: &str) -> String {
    let is_file = url.starts_with("sqlite:") && !url.contains(":memory:");
    if is_file && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=rwc")
    } else {
        url.to_owned()
    }
}

/// The start-up banner: where the docs, the admin and the app's own pages are.
struct Banner {
    lines: Vec<(String, String)>,
}

impl Banner {
    fn of(links: &[(String, String)], app: &App) -> Self {
        let mut lines = Vec::new();
        if let Some(path) = app.docs_path() {
            lines.push(("API docs (Swagger UI)".to_owned(), path.to_owned()));
        }
        if let Some(path) = app.redoc_path() {
            lines.push(("API docs (ReDoc)".to_owned(), path.to_owned()));
        }
        let admin = app.route_list().into_iter().find(|r| {
            r.meta().name.as_deref() == Some("admin")
                && r.method() == http::Method::GET
                && r.path().ends_with('/')
        });
        if let Some(admin) = admin {
            lines.push(("Admin".to_owned(), admin.path().to_owned()));
        }
        lines.extend(links.iter().cloned());
        Self { lines }
    }

    fn print<T>(
        &self,
        name: &str,
        settings: &Settings<T>,
        addr: std::net::SocketAddr,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let database = settings.database_url.split('?').next().unwrap_or_default();
        let database = match database.split_once("://") {
            Some(("sqlite", path)) => format!("SQLite {path}"),
            Some((scheme, rest)) => format!("{scheme} {}", rest.rsplit('@').next().unwrap_or(rest)),
            None => database.to_owned(),
        };
        writeln!(out, "{name} is running (profile {}, {database})", settings.profile)?;
        let width = self.lines.iter().map(|(label, _)| label.len()).max().unwrap_or(0);
        for (label, path) in &self.lines {
            writeln!(out, "  {label:width$}  http://{addr}{path}")?;
        }
        writeln!(out, "Quit with Ctrl-C.")?;
        out.flush()
    }
}

/// `routes`: method, path and handler name of every route, hidden ones marked.
fn print_routes(app: &App, out: &mut dyn Write) -> std::io::Result<()> {
    let routes = app.route_list();
    let mut rows: Vec<[String; 3]> = routes
        .iter()
        .map(|route| {
            let name = route.meta().name.clone().unwrap_or_else(|| "-".to_owned());
            let name = if route.meta().hidden { format!("{name} (not in OpenAPI)") } else { name };
            [route.method().to_string(), route.path().to_owned(), name]
        })
        .collect();
    let docs = [
        (app.openapi_path(), "the OpenAPI document"),
        (app.docs_path(), "Swagger UI"),
        (app.redoc_path(), "ReDoc"),
    ];
    for (path, what) in docs {
        if let Some(path) = path {
            rows.push(["GET".to_owned(), path.to_owned(), format!("({what})")]);
        }
    }
    let method = rows.iter().map(|r| r[0].len()).max().unwrap_or(0).max("METHOD".len());
    let path = rows.iter().map(|r| r[1].len()).max().unwrap_or(0).max("PATH".len());
    writeln!(out, "{:method$}  {:path$}  NAME", "METHOD", "PATH")?;
    for [m, p, n] in rows {
        writeln!(out, "{m:method$}  {p:path$}  {n}")?;
    }
    Ok(())
}

/// `dbshell`: the database's own client on the app's database, with this terminal.
fn dbshell(url: &str) -> Result<i32, BoxError> {
    let shell = dbshell_command(url)?;
    let status = std::process::Command::new(shell.program)
        .args(&shell.args)
        .envs(shell.env.iter().map(|(k, v)| (k, v)))
        .status()
        .map_err(|e| {
            let package = match shell.program {
                "sqlite3" => "sqlite3",
                "psql" => "postgresql-client",
                _ => "mariadb-client",
            };
            format!("cannot run {}: {e} (install it: apt-get install {package})", shell.program)
        })?;
    Ok(status.code().unwrap_or(1))
}

/// A database client to start.
#[derive(Debug, PartialEq, Eq)]
struct Shell {
    program: &'static str,
    args: Vec<String>,
    /// The password travels in the client's environment variable, never on its command line
    /// (where `ps` shows it to every user of the machine).
    env: Vec<(&'static str, String)>,
}

/// The client for `url`.
fn dbshell_command(url: &str) -> Result<Shell, BoxError> {
    let scheme = url.split(':').next().unwrap_or_default();
    let rest = url.split_once("://").map(|(_, rest)| rest).unwrap_or_default();
    let (credentials, location) = rest.rsplit_once('@').unwrap_or(("", rest));
    let (user, password) = credentials.split_once(':').unwrap_or((credentials, ""));
    let (host, database) = location.split_once('/').unwrap_or((location, ""));
    let database = database.split('?').next().unwrap_or_default();
    match scheme {
        "sqlite" => {
            let path = url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:")
                .split('?')
                .next()
                .unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err("the database is in memory: there is nothing to open".into());
            }
            Ok(Shell { program: "sqlite3", args: vec![path.to_owned()], env: Vec::new() })
        }
        "postgres" | "postgresql" => {
            let (host, port) = host.split_once(':').unwrap_or((host, "5432"));
            let mut args = vec![format!("--host={host}"), format!("--port={port}")];
            if !user.is_empty() {
                args.push(format!("--username={user}"));
            }
            args.push(format!("--dbname={database}"));
            let env = if password.is_empty() {
                vec![]
            } else {
                vec![("PGPASSWORD", password.to_owned())]
            };
            Ok(Shell { program: "psql", args, env })
        }
        "mysql" | "mariadb" => {
            let (host, port) = host.split_once(':').unwrap_or((host, "3306"));
            let mut args = vec![format!("--host={host}"), format!("--port={port}")];
            if !user.is_empty() {
                args.push(format!("--user={user}"));
            }
            args.push(database.to_owned());
            let env =
                if password.is_empty() { vec![] } else { vec![("MYSQL_PWD", password.to_owned())] };
            Ok(Shell { program: "mariadb", args, env })
        }
        other => Err(format!("dbshell does not know the {other:?} database").into()),
    }
}

/// The project's command line.
#[derive(Debug, Parser)]
#[command(disable_help_subcommand = true)]
struct ProjectCli {
    /// Database URL (default: the `database_url` setting, `QUIVER_DATABASE_URL`).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Folder of the migration files of apps without their own.
    #[arg(long, global = true, default_value = "migrations")]
    migrations: PathBuf,
    /// The settings file (default: quiver.toml when it exists).
    #[arg(long, global = true)]
    settings: Option<PathBuf>,
    /// The command (default: runserver).
    #[command(subcommand)]
    command: Option<ProjectCommand>,
}

#[derive(Debug, Subcommand)]
enum ProjectCommand {
    /// Serve the app (the default): apply migrations, seed a new database, print the URLs.
    Runserver(RunserverArgs),
    /// List the routes: method, path and handler name.
    Routes,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write it here instead of printing it.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Open the database's own client (sqlite3, psql, mariadb) on the app's database.
    Dbshell,
    #[command(flatten)]
    Manage(ManageCommand),
}

#[derive(Debug, Default, Args)]
struct RunserverArgs {
    /// Address and port to listen on (default: the `bind` setting, 127.0.0.1:8000).
    #[arg(long)]
    bind: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    workers: Option<usize>,
    /// Do not apply migrations before serving.
    #[arg(long)]
    no_migrate: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_sqlite_file_is_created_and_memory_is_left_alone() {
        assert_eq!(sqlite_creating("sqlite://db.sqlite3"), "sqlite://db.sqlite3?mode=rwc");
        assert_eq!(
            sqlite_creating("sqlite://x.db?cache=shared"),
            "sqlite://x.db?cache=shared&mode=rwc"
        );
        assert_eq!(sqlite_creating("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(sqlite_creating("sqlite://x.db?mode=ro"), "sqlite://x.db?mode=ro");
        assert_eq!(sqlite_creating("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn dbshell_opens_each_databases_own_client_without_a_password_on_its_command_line() {
        let sqlite = dbshell_command("sqlite://db.sqlite3?mode=rwc").unwrap();
        assert_eq!((sqlite.program, sqlite.args), ("sqlite3", vec!["db.sqlite3".to_owned()]));
        let pg =
            dbshell_command("postgres://app:s3cret@db.internal:6432/shop?sslmode=require").unwrap();
        assert_eq!(pg.program, "psql");
        assert_eq!(
            pg.args,
            ["--host=db.internal", "--port=6432", "--username=app", "--dbname=shop"]
        );
        assert_eq!(pg.env, [("PGPASSWORD", "s3cret".to_owned())]);
        let my = dbshell_command("mysql://root:hunter2@127.0.0.1/test").unwrap();
        assert_eq!(my.program, "mariadb");
        assert_eq!(my.args, ["--host=127.0.0.1", "--port=3306", "--user=root", "test"]);
        assert_eq!(my.env, [("MYSQL_PWD", "hunter2".to_owned())]);
        assert!(dbshell_command("sqlite::memory:").is_err());
    }
}
