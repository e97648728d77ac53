//! Applying migrations: the `quiver_migrations` table records what ran; `migrate` applies
//! what is pending in dependency order (or unapplies down to a target), each migration in a
//! transaction where the database allows DDL in transactions.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{OnceLock, RwLock};

use super::editor::forwards_sql;
use super::file::{Migration, plan};
use super::operation::Operation;
use super::state::ProjectState;
use crate::backend::Backend;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::value::FieldType;

const TABLE: &str = "quiver_migrations";

/// Where `migrate` should leave the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every migration applied.
    Latest,
    /// Exactly the migrations up to and including this one (later ones are unapplied).
    Migration(String),
    /// Nothing applied (every migration unapplied).
    Zero,
}

/// What `migrate` did or would do: `(migration, forwards?)` in order.
pub type Plan = Vec<(String, bool)>;

/// A data migration step: gets the database (inside the migration's transaction where the
/// backend has one: statements sent to it join that transaction).
pub type RustStep = fn(Db) -> Pin<Box<dyn Future<Output = Result<()>> + Send>>;

fn registry() -> &'static RwLock<HashMap<String, RustStep>> {
    static REGISTRY: OnceLock<RwLock<HashMap<String, RustStep>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// Registers a function that `RunRust { name }` operations call (Django's `RunPython`).
/// Register every function the migration files name before calling [`migrate`].
///
/// ```
/// use quiver_orm::migrations::register_rust;
///
/// register_rust("blog.fill_slugs", |db| Box::pin(async move {
///     db.execute_raw("UPDATE blog_article SET slug = LOWER(title)", []).await.map(drop)
/// }));
/// ```
pub fn register_rust(name: &str, step: RustStep) {
    registry().write().unwrap_or_else(|e| e.into_inner()).insert(name.to_owned(), step);
}

fn registered(name: &str) -> Result<RustStep> {
    registry().read().unwrap_or_else(|e| e.into_inner()).get(name).copied().ok_or_else(|| {
        Error::invalid(format!(
            "no Rust function is registered as {name:?}: call quiver_orm::migrations::register_rust before migrating"
        ))
    })
}

/// Logs each step as it starts (long table rebuilds show where they are).
fn progress(index: usize, total: usize, step: &Step) {
    let what = match step {
        Step::Sql(sql) => sql.chars().take(80).collect::<String>(),
        Step::Rust(_) => "a Rust data migration".into(),
    };
    tracing::info!(target: "quiver::migrate", "step {}/{total}: {what}", index + 1);
}

/// One thing a migration runs.
enum Step {
    Sql(String),
    Rust(RustStep),
}

async fn ensure_table(db: &Db) -> Result<()> {
    let id = match db.backend() {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
        Backend::MySql => "BIGINT PRIMARY KEY AUTO_INCREMENT",
    };
    db.execute_raw(
        &format!(
            "CREATE TABLE IF NOT EXISTS {TABLE} (id {id}, name VARCHAR(255) NOT NULL UNIQUE, applied VARCHAR(40) NOT NULL)"
        ),
        [],
    )
    .await?;
    Ok(())
}

/// The names of the applied migrations.
pub async fn applied(db: &Db) -> Result<Vec<String>> {
    ensure_table(db).await?;
    db.fetch_raw(&format!("SELECT name FROM {TABLE} ORDER BY id"), [], |row| String::decode(row, 0))
        .await
}

/// What `migrate` would run to reach `target`, without running it (`--plan`).
pub async fn plan_for(db: &Db, migrations: &[Migration], target: &Target) -> Result<Plan> {
    let applied = applied(db).await?;
    for name in &applied {
        if !migrations.iter().any(|m| &m.key() == name) {
            return Err(Error::invalid(format!(
                "the database has migration {name} applied, but there is no such migration file: the \
                 database is ahead of the code (deploy the code that has it, or migrate back with the code \
                 that had it)"
            )));
        }
    }
    let ordered = plan(migrations)?;
    // Every migration a key needs, itself included.
    let needs = |key: &str| -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        let mut stack = vec![key.to_owned()];
        while let Some(next) = stack.pop() {
            if found.insert(next.clone())
                && let Some(m) = ordered.iter().find(|m| m.key() == next)
            {
                stack.extend(m.dependency_keys());
            }
        }
        found
    };
    let (apply, unapply): (Vec<&Migration>, Vec<&Migration>) = match target {
        Target::Latest => (ordered.clone(), Vec::new()),
        Target::Zero => (Vec::new(), ordered.clone()),
        Target::Migration(name) => {
            let matches: Vec<&&Migration> =
                ordered.iter().filter(|m| m.key() == *name || m.name == *name).collect();
            let target = match matches.as_slice() {
                [one] => **one,
                [] => return Err(Error::invalid(format!("there is no migration named {name}"))),
                _ => {
                    let keys: Vec<String> = matches.iter().map(|m| m.key()).collect();
                    return Err(Error::invalid(format!(
                        "{name} is ambiguous: say which of {}",
                        keys.join(", ")
                    )));
                }
            };
            let needed = needs(&target.key());
            let position = ordered.iter().position(|m| m.key() == target.key()).expect("found");
            // Later migrations of the target's app, and whatever depends on them: other apps
            // are left alone.
            let later: Vec<String> = ordered
                .iter()
                .skip(position + 1)
                .filter(|m| m.app == target.app)
                .map(|m| m.key())
                .collect();
            let undo: Vec<&Migration> = ordered
                .iter()
                .filter(|m| needs(&m.key()).iter().any(|k| later.contains(k)))
                .copied()
                .collect();
            (ordered.iter().filter(|m| needed.contains(&m.key())).copied().collect(), undo)
        }
    };
    let mut steps = Vec::new();
    for migration in apply {
        if !applied.contains(&migration.key()) {
            steps.push((migration.key(), true));
        }
    }
    for migration in unapply.into_iter().rev() {
        if applied.contains(&migration.key()) {
            steps.push((migration.key(), false));
        }
    }
    Ok(steps)
}

/// Applies (or unapplies) migrations until the database is at `target`; returns what ran.
/// `fake` records the changes without running their SQL (`--fake`).
pub async fn migrate(
    db: &Db,
    migrations: &[Migration],
    target: &Target,
    fake: bool,
) -> Result<Plan> {
    migrate_reporting(db, migrations, target, fake, |_| {}).await
}

/// One step of a migration run, for progress reports ([`migrate_reporting`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// This migration is about to be applied (`true`) or unapplied (`false`).
    Starting(String, bool),
    /// It is done.
    Done(String, bool),
}

/// [`migrate`], telling `report` before and after each migration (for a progress display:
/// `Applying shop.0002_reviews... OK`).
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::migrations::{Progress, Target, migrate_reporting};
///
/// let db = quiver_orm::Db::connect("sqlite::memory:").await?;
/// let mut seen = Vec::new();
/// migrate_reporting(&db, &[], &Target::Latest, false, |p| seen.push(p)).await?;
/// assert!(seen.is_empty()); // no migration files, nothing to do
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub async fn migrate_reporting(
    db: &Db,
    migrations: &[Migration],
    target: &Target,
    fake: bool,
    mut report: impl FnMut(Progress),
) -> Result<Plan> {
    let steps = plan_for(db, migrations, target).await?;
    let ordered = plan(migrations)?;
    for (name, forwards) in &steps {
        // The state before this migration: every migration ordered before it.
        let index = ordered.iter().position(|m| &m.key() == name).expect("planned");
        let mut before = ProjectState::default();
        for earlier in &ordered[..index] {
            earlier.state_forwards(&mut before)?;
        }
        let migration = ordered[index];
        report(Progress::Starting(name.clone(), *forwards));
        let statements = if fake {
            Vec::new()
        } else {
            migration_steps(db.backend(), migration, &before, !*forwards)?
        };
        let record = if *forwards {
            let placeholder = if db.backend() == Backend::Postgres { "$1, $2" } else { "?, ?" };
            (
                format!("INSERT INTO {TABLE} (name, applied) VALUES ({placeholder})"),
                vec![name.to_value(), chrono::Utc::now().to_rfc3339().to_value()],
            )
        } else {
            let placeholder = if db.backend() == Backend::Postgres { "$1" } else { "?" };
            (format!("DELETE FROM {TABLE} WHERE name = {placeholder}"), vec![name.to_value()])
        };
        run(db, &statements, record).await.map_err(|e| {
            Error::invalid(format!(
                "migration {name} {}: {e}",
                if *forwards { "failed" } else { "could not be undone" }
            ))
        })?;
        tracing::info!(migration = %name, forwards, "migrated");
        report(Progress::Done(name.clone(), *forwards));
    }
    Ok(steps)
}

/// The steps of a migration, forwards or backwards.
fn migration_steps(
    backend: Backend,
    migration: &Migration,
    before: &ProjectState,
    backwards: bool,
) -> Result<Vec<Step>> {
    let mut states = vec![before.clone()];
    for operation in &migration.operations {
        let mut next = states.last().expect("non-empty").clone();
        operation.state_forwards(&mut next)?;
        states.push(next);
    }
    let mut steps = Vec::new();
    let mut add = |operation: &Operation, from: &ProjectState, to: &ProjectState| -> Result<()> {
        if let Operation::RunRust { name, .. } = operation {
            steps.push(Step::Rust(registered(name)?));
        } else {
            steps.extend(forwards_sql(backend, operation, from, to)?.into_iter().map(Step::Sql));
        }
        Ok(())
    };
    if backwards {
        for (i, operation) in migration.operations.iter().enumerate().rev() {
            add(&operation.reverse(&states[i])?, &states[i + 1], &states[i])?;
        }
    } else {
        for (i, operation) in migration.operations.iter().enumerate() {
            add(operation, &states[i], &states[i + 1])?;
        }
    }
    Ok(steps)
}

/// The SQL of a whole migration, forwards, for `backend` (`sqlmigrate`).
pub fn migration_sql(
    backend: Backend,
    migration: &Migration,
    before: &ProjectState,
) -> Result<Vec<String>> {
    let mut state = before.clone();
    let mut out = Vec::new();
    for operation in &migration.operations {
        let mut after = state.clone();
        operation.state_forwards(&mut after)?;
        out.extend(forwards_sql(backend, operation, &state, &after)?);
        state = after;
    }
    Ok(out)
}

/// The SQL that undoes a migration applied on top of `before`.
pub fn reverse_sql(
    backend: Backend,
    migration: &Migration,
    before: &ProjectState,
) -> Result<Vec<String>> {
    // The states between the operations, then each operation's reverse, last first.
    let mut states = vec![before.clone()];
    for operation in &migration.operations {
        let mut next = states.last().expect("non-empty").clone();
        operation.state_forwards(&mut next)?;
        states.push(next);
    }
    let mut out = Vec::new();
    for (i, operation) in migration.operations.iter().enumerate().rev() {
        let reverse: Operation = operation.reverse(&states[i])?;
        out.extend(forwards_sql(backend, &reverse, &states[i + 1], &states[i])?);
    }
    Ok(out)
}

async fn run(db: &Db, statements: &[Step], record: (String, Vec<sea_query::Value>)) -> Result<()> {
    let backend = db.backend();
    if backend == Backend::Sqlite {
        // The table rebuild drops tables others point at: checks are off meanwhile (only outside
        // a transaction does SQLite accept that), and verified before the commit.
        db.execute_raw("PRAGMA foreign_keys = OFF", []).await?;
    }
    let result = if backend.features().transactional_ddl {
        db.atomic(|tx| async move {
            for (i, step) in statements.iter().enumerate() {
                progress(i, statements.len(), step);
                match step {
                    Step::Sql(sql) => drop(tx.execute_raw(sql, []).await?),
                    Step::Rust(step) => step(tx.db().clone()).await?,
                }
            }
            if backend == Backend::Sqlite {
                let problems =
                    tx.db().fetch_raw("PRAGMA foreign_key_check", [], |_| Ok(())).await?;
                if !problems.is_empty() {
                    return Err(Error::invalid(format!(
                        "{} row(s) would point at missing rows after this migration",
                        problems.len()
                    )));
                }
            }
            tx.execute_raw(&record.0, record.1).await?;
            Ok::<_, Error>(())
        })
        .await
    } else {
        // MySQL commits each DDL statement by itself: a failure leaves the steps before it.
        async {
            for (i, step) in statements.iter().enumerate() {
                progress(i, statements.len(), step);
                match step {
                    Step::Sql(sql) => drop(db.execute_raw(sql, []).await?),
                    Step::Rust(step) => step(db.clone()).await?,
                }
            }
            db.execute_raw(&record.0, record.1).await.map(drop)
        }
        .await
    };
    if backend == Backend::Sqlite {
        db.execute_raw("PRAGMA foreign_keys = ON", []).await?;
    }
    result
}
