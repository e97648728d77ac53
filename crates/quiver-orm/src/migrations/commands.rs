//! The commands behind `makemigrations`, `showmigrations` and `sqlmigrate`, as functions over a
//! migrations folder, so the CLI only parses flags and prints.

use std::path::{Path, PathBuf};

use super::autodetector::{Answers, detect, suggest_name};
use super::file::{Migration, leaves, plan, state_of};
use super::runner::{applied, migration_sql};
use super::state::ProjectState;
use crate::backend::Backend;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::model::ModelMeta;

/// Reads every `*.toml` migration in `dir` (none when the folder does not exist yet), for a
/// project with one migrations folder.
pub fn load_dir(dir: &Path) -> Result<Vec<Migration>> {
    load_app("", dir)
}

/// Reads the migrations of app `app` from its folder `dir`.
pub fn load_app(app: &str, dir: &Path) -> Result<Vec<Migration>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::invalid(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::invalid(e.to_string()))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::invalid(format!("cannot read {}: {e}", path.display())))?;
        files.push((name, text));
    }
    load_embedded(app, files.iter().map(|(name, text)| (name.as_str(), text.as_str())))
}

/// Reads migrations given as `(name, TOML)` pairs for app `app`, in name order: the files a
/// library app (such as the auth app) builds into the binary with `include_str!`.
///
/// ```
/// let files = [("0001_initial", "dependencies = []\noperations = []\n")];
/// let migrations = quiver_orm::migrations::load_embedded("shop", files).unwrap();
/// assert_eq!((migrations[0].app.as_str(), migrations[0].name.as_str()), ("shop", "0001_initial"));
/// ```
pub fn load_embedded<'a>(
    app: &str,
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Migration>> {
    let mut migrations = Vec::new();
    for (name, text) in files {
        let mut migration = Migration::parse(name, text)?;
        migration.app = app.to_owned();
        migrations.push(migration);
    }
    migrations.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(migrations)
}

/// Options of `makemigrations`.
#[derive(Debug, Clone, Default)]
pub struct MakeOptions {
    /// The name after the number (default: from the operations).
    pub name: Option<String>,
    /// Write an empty migration (for a data migration written by hand).
    pub empty: bool,
    /// Print instead of writing.
    pub dry_run: bool,
    /// Only report whether a migration is needed (CI).
    pub check: bool,
    /// Join two or more leaf migrations with a merge migration.
    pub merge: bool,
    /// Answers to the autodetector's questions.
    pub answers: Answers,
}

/// What `makemigrations` found and did.
#[derive(Debug, Clone)]
pub struct MakeOutcome {
    /// The new migration, if there is one (written unless `dry_run` or `check`).
    pub migration: Option<Migration>,
    /// Where it was written.
    pub path: Option<PathBuf>,
}

/// Compares the models with the state the files in `dir` build and writes the next
/// migration there (`0003_article_views.toml`). With no changes, returns no migration.
///
/// ```
/// use quiver_orm::migrations::{makemigrations, MakeOptions};
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Note {
///     pub id: Auto<i64>,
///     pub text: String,
/// }
///
/// let dir = std::env::temp_dir().join(format!("quiver-doc-migrations-{}", std::process::id()));
/// let made = makemigrations(&dir, &[Note::meta()], &MakeOptions::default()).unwrap();
/// assert_eq!(made.migration.unwrap().name, "0001_initial");
/// assert!(makemigrations(&dir, &[Note::meta()], &MakeOptions::default()).unwrap().migration.is_none());
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn makemigrations(
    dir: &Path,
    models: &[&ModelMeta],
    options: &MakeOptions,
) -> Result<MakeOutcome> {
    makemigrations_for_app("", dir, models, &[], options)
}

/// [`makemigrations`] for one app of several: `app`'s models and folder, with the migrations of
/// the other apps (`others`) for the models its relations point at. A new migration depends on
/// the latest migration of each other app it points into.
///
/// ```
/// use quiver_orm::migrations::{load_app, makemigrations_for_app, MakeOptions};
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct User { pub id: Auto<i64>, pub name: String }
///
/// #[derive(Model, Debug)]
/// pub struct Post { pub id: Auto<i64>, pub author: ForeignKey<User> }
///
/// let root = std::env::temp_dir().join(format!("quiver-doc-apps-{}", std::process::id()));
/// let (auth, blog) = (root.join("auth"), root.join("blog"));
/// makemigrations_for_app("auth", &auth, &[User::meta()], &[], &MakeOptions::default()).unwrap();
/// let others = load_app("auth", &auth).unwrap();
/// let made = makemigrations_for_app("blog", &blog, &[Post::meta()], &others, &MakeOptions::default()).unwrap();
/// assert_eq!(made.migration.unwrap().dependencies, ["auth.0001_initial"]);
/// std::fs::remove_dir_all(&root).unwrap();
/// ```
pub fn makemigrations_for_app(
    app: &str,
    dir: &Path,
    models: &[&ModelMeta],
    others: &[Migration],
    options: &MakeOptions,
) -> Result<MakeOutcome> {
    let existing = load_app(app, dir)?;
    let mut all: Vec<Migration> = others.to_vec();
    all.extend(existing.iter().cloned());
    plan(&all)?;
    let heads: Vec<String> = leaves(&existing).into_iter().map(str::to_owned).collect();
    let number = existing
        .iter()
        .filter_map(|m| m.name.split('_').next().and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0)
        + 1;
    let migration = if heads.len() > 1 {
        if !options.merge {
            return Err(Error::invalid(format!(
                "conflicting migrations: {} are all leaves; run makemigrations --merge to join them",
                heads.join(" and ")
            )));
        }
        Migration {
            app: app.to_owned(),
            name: format!("{number:04}_merge"),
            dependencies: heads,
            operations: Vec::new(),
        }
    } else {
        let everything = state_of(&all)?;
        // This app's models as its files left them; other apps' models are only looked up.
        let mut current = everything.clone();
        current.models.retain(|_, model| model.app == app);
        let target = ProjectState::from_models(models);
        let operations = if options.empty {
            Vec::new()
        } else {
            detect(&current, &target, &options.answers).map_err(|questions| {
                let lines: Vec<String> = questions.iter().map(ToString::to_string).collect();
                Error::invalid(lines.join("\n"))
            })?
        };
        if operations.is_empty() && !options.empty {
            return Ok(MakeOutcome { migration: None, path: None });
        }
        let name = match &options.name {
            Some(name) => name.clone(),
            None if options.empty => "empty".into(),
            None => suggest_name(&operations, existing.is_empty()),
        };
        let mut dependencies = heads;
        // Relations into another app: depend on that app's latest migration.
        for operation in &operations {
            for target_model in operation.related_models() {
                let Some(owner) = everything.models.get(&target_model).map(|m| m.app.clone())
                else {
                    continue;
                };
                if owner == app {
                    continue;
                }
                let theirs: Vec<Migration> =
                    all.iter().filter(|m| m.app == owner).cloned().collect();
                for leaf in leaves(&theirs) {
                    let key = super::file::qualify(&owner, leaf);
                    if !dependencies.contains(&key) {
                        dependencies.push(key);
                    }
                }
            }
        }
        Migration {
            app: app.to_owned(),
            name: format!("{number:04}_{name}"),
            dependencies,
            operations,
        }
    };
    if options.check || options.dry_run {
        return Ok(MakeOutcome { migration: Some(migration), path: None });
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::invalid(format!("cannot create {}: {e}", dir.display())))?;
    let path = dir.join(format!("{}.toml", migration.name));
    std::fs::write(&path, migration.render())
        .map_err(|e| Error::invalid(format!("cannot write {}: {e}", path.display())))?;
    Ok(MakeOutcome { migration: Some(migration), path: Some(path) })
}

/// Every migration in order with whether it is applied (`showmigrations`).
pub async fn showmigrations(db: &Db, migrations: &[Migration]) -> Result<Vec<(String, bool)>> {
    let done = applied(db).await?;
    Ok(plan(migrations)?.into_iter().map(|m| (m.key(), done.contains(&m.key()))).collect())
}

/// The SQL migration `name` runs on `backend` (`sqlmigrate`).
pub fn sqlmigrate(backend: Backend, migrations: &[Migration], name: &str) -> Result<Vec<String>> {
    let ordered = plan(migrations)?;
    let index = ordered
        .iter()
        .position(|m| m.key() == name || m.name == name)
        .ok_or_else(|| Error::invalid(format!("there is no migration named {name}")))?;
    let mut before = ProjectState::default();
    for earlier in &ordered[..index] {
        earlier.state_forwards(&mut before)?;
    }
    migration_sql(backend, ordered[index], &before)
}
