//! The project commands on the command line, Django's `manage.py`: the schema
//! (`makemigrations`, `migrate`, `showmigrations`, `sqlmigrate`), users (`createsuperuser`,
//! `changepassword`), sessions (`clearsessions`) and `check --deploy`. An app's binary gets
//! them, with `runserver`, `routes`, `openapi` and `dbshell`, from [`crate::Project`]; the
//! functions here run them without a server (tools, tests).

use std::io::{BufRead, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::orm::migrations::{
    self, Answers, MakeOptions, Progress, RenameCandidate, Target, makemigrations_for_app,
    migrate_reporting, plan_for, rename_candidates, showmigrations, sqlmigrate, state_of,
};
use crate::orm::{Backend, Db, ModelMeta};

/// The project commands.
#[derive(Debug, Parser)]
#[command(name = "manage", about = "Quiver's project commands", disable_help_subcommand = true)]
pub struct Cli {
    /// Database URL (default: $QUIVER_DATABASE_URL, else sqlite://db.sqlite3).
    #[arg(long, global = true)]
    pub database: Option<String>,
    /// Folder of the migration files.
    #[arg(long, global = true, default_value = "migrations")]
    pub migrations: PathBuf,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// One schema command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the migration that brings the files in line with the models.
    Makemigrations {
        /// Only this app (default: every app).
        app: Option<String>,
        /// Exit with status 1 if a migration is needed, write nothing (for CI).
        #[arg(long)]
        check: bool,
        /// Print the migration instead of writing it.
        #[arg(long)]
        dry_run: bool,
        /// Name the migration (after its number).
        #[arg(long)]
        name: Option<String>,
        /// Write an empty migration (for a data migration written by hand).
        #[arg(long)]
        empty: bool,
        /// Join two leaf migrations with a merge migration.
        #[arg(long)]
        merge: bool,
        /// A one-off default for a new NOT NULL field: `Model.field=<json>`.
        #[arg(long = "default", value_name = "MODEL.FIELD=JSON")]
        defaults: Vec<String>,
        /// A rename: `Model.old=new` for a field, `Old=New` for a model.
        #[arg(long = "rename", value_name = "OLD=NEW")]
        renames: Vec<String>,
        /// Never ask; unanswered renames are a removal and an addition.
        #[arg(long)]
        no_input: bool,
    },
    /// Apply (or unapply) migrations up to a target: a migration's name, or `zero`.
    Migrate {
        /// Where to go (default: the latest migration).
        target: Option<String>,
        /// Show what would run, run nothing.
        #[arg(long)]
        plan: bool,
        /// Record the migrations as applied without running them.
        #[arg(long)]
        fake: bool,
    },
    /// List the migrations, applied ones marked `[X]`.
    Showmigrations,
    /// Make a user with every permission.
    ///
    /// Asks for what is missing (username, email, the password twice), or with `--noinput`
    /// takes the username and email from the flags and the password from
    /// `QUIVER_SUPERUSER_PASSWORD`.
    Createsuperuser {
        /// The login name.
        #[arg(long)]
        username: Option<String>,
        /// The email address.
        #[arg(long)]
        email: Option<String>,
        /// Ask nothing: the password comes from `QUIVER_SUPERUSER_PASSWORD`.
        #[arg(long, visible_alias = "noinput")]
        no_input: bool,
    },
    /// Set a user's password (asked twice; the password rules apply).
    Changepassword {
        /// The login name.
        username: String,
    },
    /// Delete expired sessions from the session store.
    Clearsessions,
    /// List problems with the project's settings (`--deploy`: for production).
    ///
    /// With `--deploy`, every setting that is unsafe in production, each with its fix; the exit
    /// status is 1 when there is any.
    Check {
        /// Check the settings a deployed app needs.
        #[arg(long)]
        deploy: bool,
    },
    /// Print the SQL of one migration.
    Sqlmigrate {
        /// The migration's name.
        name: String,
        /// The dialect: sqlite, postgres or mysql (default: the database's).
        #[arg(long)]
        backend: Option<String>,
    },
}

/// Runs a schema command for `models`, printing to `out`; returns the exit status.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Note {
///     pub id: Auto<i64>,
///     pub text: String,
/// }
///
/// let dir = std::env::temp_dir().join(format!("quiver-manage-doc-{}", std::process::id()));
/// let args = |command: &str| {
///     format!("manage --database sqlite::memory: --migrations {} {command}", dir.display())
///         .split(' ')
///         .map(String::from)
///         .collect::<Vec<_>>()
/// };
/// let mut out = Vec::new();
/// let status = quiver::manage::run(&[Note::meta()], args("makemigrations"), &mut std::io::empty(), &mut out).await;
/// assert_eq!(status, 0);
/// assert!(String::from_utf8(out).unwrap().contains("0001_initial"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # });
/// ```
pub async fn run(
    models: &[&'static ModelMeta],
    args: impl IntoIterator<Item = String>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> i32 {
    // One unnamed app whose folder is `--migrations`.
    let apps = [App { label: "", dir: None, embedded: None, models: models.to_vec() }];
    run_apps(&apps, args, input, out).await
}

/// An app of a project: its label, its migrations folder and its models.
#[derive(Debug, Clone)]
pub struct App {
    /// The label (`auth`, `blog`); empty for a project with one folder.
    pub label: &'static str,
    /// Its migrations folder (default: `--migrations`).
    pub dir: Option<PathBuf>,
    /// Migrations built into the binary (`(name, TOML)`), for apps that ship with a library
    /// such as the auth app; `makemigrations` leaves such an app alone unless `dir` is set.
    pub embedded: Option<&'static [(&'static str, &'static str)]>,
    /// Its models.
    pub models: Vec<&'static ModelMeta>,
}

impl App {
    /// A project app whose migrations are built into the binary (`include_str!` of its
    /// `migrations/*.toml`), read from there by `migrate`.
    ///
    /// ```
    /// let app = quiver::manage::App::embedded("shop", &[], Vec::new());
    /// assert_eq!((app.label, app.dir.is_none()), ("shop", true));
    /// ```
    pub fn embedded(
        label: &'static str,
        migrations: &'static [(&'static str, &'static str)],
        models: Vec<&'static ModelMeta>,
    ) -> Self {
        App { label, dir: None, embedded: Some(migrations), models }
    }

    /// The auth app (users, groups, permissions, sessions, tokens), with its built-in
    /// migrations. With it in the project, `migrate` also creates every model's permissions.
    pub fn auth() -> Self {
        App {
            label: "auth",
            dir: None,
            embedded: Some(crate::auth::MIGRATIONS),
            models: crate::auth::models(),
        }
    }

    /// The admin app (the history of changes made in the admin), with its built-in
    /// migrations; it needs [`App::auth`] in the project too.
    pub fn admin() -> Self {
        App {
            label: "admin",
            dir: None,
            embedded: Some(crate::admin::MIGRATIONS),
            models: crate::admin::models(),
        }
    }
}

/// A project for [`run_project`]: its apps, and the settings `check --deploy`, `createsuperuser`
/// and `clearsessions` read.
#[derive(Debug, Clone, Default)]
pub struct Project {
    /// The apps.
    pub apps: Vec<App>,
    /// The auth app's settings, when it is installed.
    pub auth: Option<crate::auth::Auth>,
    /// The app's security settings (`App::security_settings`).
    pub security: crate::security::SecuritySettings,
    /// The hosts the app answers.
    pub allowed_hosts: Vec<String>,
}

/// [`run`] for a project of several apps, each with its own migrations folder;
/// `makemigrations [app]` writes into each app's folder, `migrate` orders every app's
/// migrations together.
pub async fn run_apps(
    apps: &[App],
    args: impl IntoIterator<Item = String>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> i32 {
    let project = Project { apps: apps.to_vec(), ..Project::default() };
    run_project(&project, args, input, out).await
}

/// [`run_apps`] with the project's settings, for `check --deploy`, `createsuperuser` and
/// `clearsessions`.
pub async fn run_project(
    project: &Project,
    args: impl IntoIterator<Item = String>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = write!(out, "{error}");
            return if error.use_stderr() { 2 } else { 0 };
        }
    };
    match execute(project, cli, input, out).await {
        Ok(status) => status,
        Err(error) => {
            let _ = writeln!(out, "error: {error}");
            1
        }
    }
}

fn app_dir(app: &App, default: &std::path::Path) -> PathBuf {
    app.dir.clone().unwrap_or_else(|| default.to_path_buf())
}

/// Every app's migrations: from its folder, or built in. An app with both (its files are
/// edited by `makemigrations` and embedded in the binary) reads the folder when it exists and
/// the built-in copy otherwise, as a deployed binary without its sources does.
pub(crate) fn load_all(
    apps: &[App],
    default: &std::path::Path,
) -> crate::orm::Result<Vec<migrations::Migration>> {
    let mut all = Vec::new();
    for app in apps {
        match (app.embedded, &app.dir) {
            (Some(files), None) => {
                all.extend(migrations::load_embedded(app.label, files.iter().copied())?);
            }
            (Some(files), Some(dir)) if !dir.exists() => {
                all.extend(migrations::load_embedded(app.label, files.iter().copied())?);
            }
            _ => all.extend(migrations::load_app(app.label, &app_dir(app, default))?),
        }
    }
    Ok(all)
}

async fn execute(
    project: &Project,
    cli: Cli,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<i32, Box<dyn std::error::Error>> {
    let Cli { database, migrations: folder, command } = cli;
    let url = database
        .or_else(|| std::env::var("QUIVER_DATABASE_URL").ok())
        .unwrap_or_else(|| "sqlite://db.sqlite3".into());
    execute_command(project, &url, &folder, command, input, out).await
}

/// Runs one command on the database at `url`, `folder` being the default migrations folder.
pub(crate) async fn execute_command(
    project: &Project,
    url: &str,
    folder: &std::path::Path,
    command: Command,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<i32, Box<dyn std::error::Error>> {
    let apps = project.apps.as_slice();
    let (url, folder) = (url.to_owned(), folder.to_path_buf());
    match command {
        Command::Makemigrations {
            app,
            check,
            dry_run,
            name,
            empty,
            merge,
            defaults,
            renames,
            no_input,
        } => {
            let mut answers = Answers::default();
            for default in defaults {
                let (key, value) =
                    default.split_once('=').ok_or("--default takes Model.field=<json>")?;
                let value =
                    serde_json::from_str(value).unwrap_or(serde_json::Value::String(value.into()));
                answers.one_off_defaults.insert(key.into(), value);
            }
            for rename in renames {
                let (old, new) =
                    rename.split_once('=').ok_or("--rename takes Model.old=new or Old=New")?;
                if old.contains('.') {
                    answers.renamed_fields.insert(old.into(), new.into());
                } else {
                    answers.renamed_models.insert(old.into(), new.into());
                }
            }
            if let Some(label) = &app
                && !apps.iter().any(|a| a.label == label)
            {
                return Err(format!("there is no app labelled {label:?}").into());
            }
            let mut status = 0;
            let editable = |a: &&App| a.embedded.is_none() || a.dir.is_some();
            for project_app in
                apps.iter().filter(|a| app.as_deref().is_none_or(|l| l == a.label)).filter(editable)
            {
                let dir = app_dir(project_app, &folder);
                let others: Vec<_> = load_all(apps, &folder)?
                    .into_iter()
                    .filter(|m| m.app != project_app.label)
                    .collect();
                let mut answers = answers.clone();
                if !no_input && !check {
                    ask_renames(project_app, &dir, &others, &mut answers, input, out)?;
                }
                let options =
                    MakeOptions { name: name.clone(), empty, dry_run, check, merge, answers };
                let made = makemigrations_for_app(
                    project_app.label,
                    &dir,
                    &project_app.models,
                    &others,
                    &options,
                )?;
                status = status.max(report(made.migration, check, dry_run, out)?);
            }
            return Ok(status);
        }
        Command::Migrate { target, plan, fake } => {
            let files = load_all(apps, &folder)?;
            let target = match target.as_deref() {
                None => Target::Latest,
                Some("zero") => Target::Zero,
                Some(name) => Target::Migration(name.into()),
            };
            let db = Db::connect(&url).await?;
            let fake_note = if fake { " (fake)" } else { "" };
            let steps = if plan {
                let steps = plan_for(&db, &files, &target).await?;
                for (name, forwards) in &steps {
                    let verb = if *forwards { "Would apply" } else { "Would unapply" };
                    writeln!(out, "{verb} {name}{fake_note}")?;
                }
                steps
            } else {
                // Each line as its migration finishes: a long migration shows where it is.
                migrate_reporting(&db, &files, &target, fake, |progress| {
                    if let Progress::Done(name, forwards) = progress {
                        let verb = if forwards { "Applied" } else { "Unapplied" };
                        let _ = writeln!(out, "{verb} {name}{fake_note}");
                        let _ = out.flush();
                    }
                })
                .await?
            };
            if steps.is_empty() {
                writeln!(out, "No migrations to apply.")?;
            }
            if !plan {
                post_migrate(apps, project.auth.as_ref(), &db, out).await?;
            }
        }
        Command::Createsuperuser { username, email, no_input } => {
            let db = Db::connect(&url).await?;
            let auth = auth_of(project, &db);
            let (username, email, password) = if no_input {
                let username = username.ok_or("--noinput needs --username")?;
                let password = std::env::var("QUIVER_SUPERUSER_PASSWORD")
                    .map_err(|_| "--noinput needs the password in QUIVER_SUPERUSER_PASSWORD")?;
                (username, email.unwrap_or_default(), password)
            } else {
                let username = match username {
                    Some(username) => username,
                    None => ask(input, out, "Username: ")?,
                };
                let email = match email {
                    Some(email) => email,
                    None => ask(input, out, "Email address: ")?,
                };
                let Some(password) = ask_password_twice(input, out)? else { return Ok(1) };
                (username, email, password)
            };
            match auth.create_superuser(&username, &email, &password).await {
                Ok(_) => writeln!(out, "Superuser {username} created.")?,
                Err(error) => return report_user_error(error, out),
            }
        }
        Command::Changepassword { username } => {
            use crate::auth::User;
            use crate::orm::Model;
            let db = Db::connect(&url).await?;
            let auth = auth_of(project, &db);
            let Some(mut user) =
                User::objects().filter(User::USERNAME.eq(username.as_str())).first(&db).await?
            else {
                writeln!(out, "error: there is no user {username:?}")?;
                return Ok(1);
            };
            writeln!(out, "Changing password for user {username}")?;
            let Some(password) = ask_password_twice(input, out)? else { return Ok(1) };
            if let Err(error) = auth.set_password(&mut user, &password).await {
                return report_user_error(error, out);
            }
            user.save(&db).await?;
            writeln!(out, "Password changed successfully for user {username}.")?;
        }
        Command::Clearsessions => {
            let db = Db::connect(&url).await?;
            let backend = match &project.auth {
                Some(auth) => auth.session_backend().clone(),
                None => crate::auth::session::SessionBackend::database(&db),
            };
            let removed = match backend {
                crate::auth::session::SessionBackend::Store(store) => store.clear_expired().await?,
                crate::auth::session::SessionBackend::SignedCookie => 0,
            };
            writeln!(out, "Deleted {removed} expired sessions.")?;
        }
        Command::Check { deploy } => {
            let mut problems = Vec::new();
            if deploy {
                problems.extend(project.security.deploy_warnings());
                if project.allowed_hosts.iter().any(|h| h == "*") {
                    problems.push(
                        "allowed hosts include \"*\": any Host header is accepted; list your domains with `App::allowed_hosts`"
                            .to_owned(),
                    );
                }
                if let Some(auth) = &project.auth {
                    problems.extend(auth.deploy_warnings());
                }
            }
            if problems.is_empty() {
                writeln!(out, "System check identified no issues.")?;
            } else {
                writeln!(out, "System check identified {} issues:", problems.len())?;
                for problem in &problems {
                    writeln!(out, "  - {problem}")?;
                }
                return Ok(1);
            }
        }
        Command::Showmigrations => {
            let files = load_all(apps, &folder)?;
            let db = Db::connect(&url).await?;
            for (name, applied) in showmigrations(&db, &files).await? {
                writeln!(out, " [{}] {name}", if applied { "X" } else { " " })?;
            }
        }
        Command::Sqlmigrate { name, backend } => {
            let files = load_all(apps, &folder)?;
            let backend = match backend.as_deref() {
                Some("sqlite") => Backend::Sqlite,
                Some("postgres" | "postgresql") => Backend::Postgres,
                Some("mysql" | "mariadb") => Backend::MySql,
                Some(other) => {
                    return Err(format!(
                        "unknown backend {other:?}: use sqlite, postgres or mysql"
                    )
                    .into());
                }
                None => match url.split(':').next() {
                    Some("postgres" | "postgresql") => Backend::Postgres,
                    Some("mysql" | "mariadb") => Backend::MySql,
                    _ => Backend::Sqlite,
                },
            };
            for sql in sqlmigrate(backend, &files, &name)? {
                writeln!(out, "{sql};")?;
            }
        }
    }
    Ok(0)
}

/// Prints what makemigrations found; the exit status (1 for `--check` with changes).
fn report(
    migration: Option<migrations::Migration>,
    check: bool,
    dry_run: bool,
    out: &mut dyn Write,
) -> Result<i32, Box<dyn std::error::Error>> {
    {
        {
            match (migration, check) {
                (None, _) => writeln!(out, "No changes detected")?,
                (Some(migration), true) => {
                    writeln!(out, "Migration {} is needed:", migration.name)?;
                    for op in &migration.operations {
                        writeln!(out, "  - {}", op.describe())?;
                    }
                    return Ok(1);
                }
                (Some(migration), false) => {
                    if dry_run {
                        write!(out, "{}", migration.render())?;
                    } else {
                        writeln!(out, "Migration {}:", migration.name)?;
                        for op in &migration.operations {
                            writeln!(out, "  - {}", op.describe())?;
                        }
                    }
                }
            }
        }
    }
    Ok(0)
}

/// Asks about each possible rename not answered by a flag or attribute.
fn ask_renames(
    app: &App,
    dir: &std::path::Path,
    others: &[migrations::Migration],
    answers: &mut Answers,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut all = others.to_vec();
    all.extend(migrations::load_app(app.label, dir)?);
    let mut current = state_of(&all)?;
    current.models.retain(|_, model| model.app == app.label);
    let target = migrations::ProjectState::from_models(&app.models);
    for candidate in rename_candidates(&current, &target) {
        let question = match &candidate {
            RenameCandidate::Model { old, new } if !answers.renamed_models.contains_key(old) => {
                format!("Was the model {old} renamed to {new}? [y/N] ")
            }
            RenameCandidate::Field { model, old, new }
                if !answers.renamed_fields.contains_key(&format!("{model}.{old}")) =>
            {
                format!("Was {model}.{old} renamed to {model}.{new}? [y/N] ")
            }
            _ => continue,
        };
        write!(out, "{question}")?;
        out.flush()?;
        let mut line = String::new();
        input.read_line(&mut line)?;
        if matches!(line.trim(), "y" | "Y" | "yes") {
            match candidate {
                RenameCandidate::Model { old, new } => answers.renamed_models.insert(old, new),
                RenameCandidate::Field { model, old, new } => {
                    answers.renamed_fields.insert(format!("{model}.{old}"), new)
                }
            };
        }
    }
    Ok(())
}

/// Applies every pending migration of `apps` to `db` — read as `migrate` reads them (from each
/// app's folder, or built in) — and, with the auth app among them, creates the models'
/// permissions; what ran. For tests and tools that set up a database without the CLI.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = quiver::orm::Db::connect("sqlite::memory:").await.unwrap();
/// let ran = quiver::manage::migrate_apps(&db, &[quiver::manage::App::auth()]).await.unwrap();
/// assert_eq!(ran, [("auth.0001_initial".to_owned(), true)]);
/// # });
/// ```
pub async fn migrate_apps(db: &Db, apps: &[App]) -> crate::orm::Result<migrations::Plan> {
    let auth =
        apps.iter().any(|a| a.label == "auth").then(|| crate::auth::Auth::new(db, [0u8; 32]));
    migrate_quietly(db, apps, auth.as_ref()).await
}

/// [`migrate_apps`] with the project's auth settings (their custom permissions); a failure to
/// create the permissions is an error, not a warning nobody reads.
pub(crate) async fn migrate_quietly(
    db: &Db,
    apps: &[App],
    auth: Option<&crate::auth::Auth>,
) -> crate::orm::Result<migrations::Plan> {
    let files = load_all(apps, std::path::Path::new("migrations"))?;
    let ran = migrations::migrate(db, &files, &Target::Latest, false).await?;
    sync_app_permissions(apps, auth, db).await?;
    Ok(ran)
}

/// Every model's add/change/delete/view permissions (and the auth settings' custom ones), when
/// the auth app is among `apps`: how many were made.
async fn sync_app_permissions(
    apps: &[App],
    auth: Option<&crate::auth::Auth>,
    db: &Db,
) -> crate::orm::Result<u64> {
    if !apps.iter().any(|a| a.label == "auth") {
        return Ok(0);
    }
    let labelled: Vec<(&str, Vec<&'static ModelMeta>)> =
        apps.iter().map(|a| (a.label, a.models.clone())).collect();
    let custom = auth.map(|a| a.custom_permissions_list()).unwrap_or_default();
    crate::auth::permissions::sync_permissions(db, &labelled, &custom).await
}

/// Django's post-migrate step, with the auth app in the project: every model gets its
/// add/change/delete/view permissions (and the auth settings' custom ones).
pub(crate) async fn post_migrate(
    apps: &[App],
    auth: Option<&crate::auth::Auth>,
    db: &Db,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match sync_app_permissions(apps, auth, db).await {
        Ok(0) => Ok(()),
        Ok(made) => writeln!(out, "Created {made} permissions."),
        Err(error) => writeln!(out, "warning: permissions not created: {error}"),
    }
}

/// The project's auth settings, or the defaults on `db`.
fn auth_of(project: &Project, db: &Db) -> crate::auth::Auth {
    match &project.auth {
        Some(auth) => auth.clone(),
        None => crate::auth::Auth::new(db, [0u8; 32]),
    }
}

/// Asks one question; the answer without its line end.
fn ask(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
    prompt: &str,
) -> Result<String, Box<dyn std::error::Error>> {
    write!(out, "{prompt}")?;
    out.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        return Err(format!("no answer to {:?} (end of input)", prompt.trim_end()).into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Asks for a password twice; `None` (after saying so) when the two differ.
fn ask_password_twice(
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> Result<Option<String>, Box<dyn std::error::Error>> {
    let first = ask(input, out, "Password: ")?;
    if ask(input, out, "Password (again): ")? != first {
        writeln!(out, "error: the two passwords differ")?;
        return Ok(None);
    }
    Ok(Some(first))
}

/// Prints why a user could not be made or changed (each broken password rule); status 1.
fn report_user_error(
    error: crate::Error,
    out: &mut dyn Write,
) -> Result<i32, Box<dyn std::error::Error>> {
    match error.kind() {
        crate::ErrorKind::Validation(problems) => {
            for problem in problems.iter() {
                writeln!(out, "error: {}", problem.msg)?;
            }
        }
        _ => writeln!(out, "error: {error}")?,
    }
    Ok(1)
}
