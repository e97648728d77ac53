//! SQLite through rusqlite: one writer connection and a few readers, WAL, foreign keys on,
//! prepared statements cached per connection.
//!
//! Statements run on the calling task's thread. A point query takes microseconds, less than
//! handing it to another thread and back (what sqlx-sqlite does for every query), so there is
//! no hop. Readers are held only while a statement runs, never across an `.await`; WAL lets
//! them read while the writer writes. Writes queue on an async mutex around the single writer,
//! so writers never fight over SQLite's write lock (no `SQLITE_BUSY` between our own writers).

pub(crate) mod dialect;
pub(crate) mod features;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, ToSql};
use sea_query::Value;

use crate::error::{Error, ErrorKind, Result};
use crate::row::Row;

/// The connections of one SQLite database.
pub(crate) struct SqlitePool {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    acquire_timeout: Duration,
    readers: Vec<std::sync::Mutex<Connection>>,
    next_reader: AtomicUsize,
}

/// Where a SQLite database lives: a file, or memory (one connection, nothing shared).
pub(crate) fn parse_url(url: &str) -> Result<Option<String>> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| Error::new(ErrorKind::Config(format!("not a SQLite URL: {url:?}"))))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" { Ok(None) } else { Ok(Some(path.to_owned())) }
}

impl SqlitePool {
    /// Opens (creating if needed) the database at `path` with `readers` reader connections.
    pub(crate) fn open(
        path: Option<&str>,
        readers: usize,
        acquire_timeout: Duration,
    ) -> Result<SqlitePool> {
        let Some(path) = path else {
            let writer = Connection::open_in_memory()?;
            configure(&writer, false)?;
            return Ok(SqlitePool {
                writer: Arc::new(tokio::sync::Mutex::new(writer)),
                acquire_timeout,
                readers: Vec::new(),
                next_reader: AtomicUsize::new(0),
            });
        };
        let writer = Connection::open(path)?;
        configure(&writer, true)?;
        let readers = (0..readers.max(1))
            .map(|_| {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
                    | OpenFlags::SQLITE_OPEN_URI
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let reader = Connection::open_with_flags(path, flags)?;
                configure(&reader, false)?;
                Ok(std::sync::Mutex::new(reader))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SqlitePool {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            acquire_timeout,
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    /// The writer connection, waiting at most the pool's acquire timeout: a transaction that
    /// waits for a task which writes outside it would otherwise wait forever.
    pub(crate) async fn writer(&self) -> Result<tokio::sync::MutexGuard<'_, Connection>> {
        // Free (the usual case): no timer to set up.
        if let Ok(writer) = self.writer.try_lock() {
            return Ok(writer);
        }
        tokio::time::timeout(self.acquire_timeout, self.writer.lock())
            .await
            .map_err(|_| self.busy())
    }

    /// The writer connection for a transaction.
    pub(crate) async fn writer_owned(&self) -> Result<tokio::sync::OwnedMutexGuard<Connection>> {
        if let Ok(writer) = self.writer.clone().try_lock_owned() {
            return Ok(writer);
        }
        tokio::time::timeout(self.acquire_timeout, self.writer.clone().lock_owned())
            .await
            .map_err(|_| self.busy())
    }

    fn busy(&self) -> Error {
        Error::new(ErrorKind::Config(format!(
            "waited {:?} for SQLite's writer: a transaction in another task holds it (a task \
             spawned inside db.atomic that writes through the Db waits for that transaction)",
            self.acquire_timeout
        )))
    }

    /// (open connections, idle ones): the writer and the readers.
    pub(crate) fn status(&self) -> (u32, u32) {
        let writer_idle = u32::from(self.writer.try_lock().is_ok());
        let readers_idle = self.readers.iter().filter(|r| r.try_lock().is_ok()).count() as u32;
        (1 + self.readers.len() as u32, writer_idle + readers_idle)
    }

    /// Runs `f` on a reader connection, or on the writer for an in-memory database.
    pub(crate) async fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if self.readers.is_empty() {
            let writer = self.writer().await?;
            return f(&writer);
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            if let Ok(reader) = self.readers[(start + i) % n].try_lock() {
                return f(&reader);
            }
        }
        // All busy: readers are held only while a statement runs, so this wait is short.
        let reader = self.readers[start % n].lock().unwrap_or_else(|e| e.into_inner());
        f(&reader)
    }
}

fn configure(conn: &Connection, writer: bool) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(256);
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "case_sensitive_like", "ON")?;
    register_regexp(conn)?;
    register_ilike(conn)?;
    Ok(())
}

/// A LIKE pattern (`%`, `_`, `\\` escapes) as a case-insensitive regular expression; leading
/// and trailing `%` become unanchored ends, so `%word%` is a plain substring search.
fn like_regex(pattern: &str) -> std::result::Result<regex::Regex, regex::Error> {
    enum Token {
        Literal(char),
        Any,
        One,
    }
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        tokens.push(match c {
            '\\' => Token::Literal(chars.next().unwrap_or('\\')),
            '%' => Token::Any,
            '_' => Token::One,
            other => Token::Literal(other),
        });
    }
    let anchored_start = !matches!(tokens.first(), Some(Token::Any));
    let anchored_end = !matches!(tokens.last(), Some(Token::Any));
    let mut regex = String::from("(?is)");
    if anchored_start {
        regex.push('^');
    }
    let inner = tokens.iter().skip(usize::from(!anchored_start)).take(
        tokens.len().saturating_sub(usize::from(!anchored_start) + usize::from(!anchored_end)),
    );
    let mut buffer = [0u8; 4];
    for token in inner {
        match token {
            Token::Literal(c) => regex.push_str(&regex::escape(c.encode_utf8(&mut buffer))),
            Token::Any => regex.push_str(".*"),
            Token::One => regex.push('.'),
        }
    }
    if anchored_end {
        regex.push('$');
    }
    regex::Regex::new(&regex)
}

/// `x REGEXP y` calls `regexp(y, x)`; SQLite has no implementation of its own.
fn register_regexp(conn: &Connection) -> Result<()> {
    register_matcher(conn, "regexp", regex::Regex::new)
}

/// `quiver_ilike(pattern, text)`: `text LIKE pattern` (escape `\\`), case-insensitive with
/// Unicode case folding.
fn register_ilike(conn: &Connection) -> Result<()> {
    register_matcher(conn, "quiver_ilike", like_regex)
}

/// Registers `name(pattern, value)`: the pattern compiled by `compile` once per statement,
/// then matched against the value as text (numbers as their text, as PostgreSQL's `::text`
/// does; NULL stays NULL).
fn register_matcher(
    conn: &Connection,
    name: &str,
    compile: fn(&str) -> std::result::Result<regex::Regex, regex::Error>,
) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        name,
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |ctx| {
            let matcher: Arc<regex::Regex> = ctx
                .get_or_create_aux(0, |pattern| -> Result<_, BoxError> {
                    Ok(compile(pattern.as_str()?)?)
                })?;
            Ok(match ctx.get_raw(1) {
                ValueRef::Text(text) => {
                    Some(std::str::from_utf8(text).is_ok_and(|text| matcher.is_match(text)))
                }
                ValueRef::Integer(n) => Some(matcher.is_match(&n.to_string())),
                ValueRef::Real(x) => Some(matcher.is_match(&x.to_string())),
                ValueRef::Null => None,
                ValueRef::Blob(_) => Some(false),
            })
        },
    )?;
    Ok(())
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Runs a query and decodes every row.
pub(crate) fn fetch<T>(
    conn: &Connection,
    sql: &str,
    values: &[Value],
    decode: &mut dyn FnMut(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut statement = conn.prepare_cached(sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(values.iter().map(Param)))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(decode(&Row::Sqlite(row))?);
    }
    Ok(out)
}

/// Runs a statement; returns (rows affected, last insert rowid).
pub(crate) fn execute(conn: &Connection, sql: &str, values: &[Value]) -> Result<(u64, i64)> {
    let mut statement = conn.prepare_cached(sql)?;
    let affected = match statement.execute(rusqlite::params_from_iter(values.iter().map(Param))) {
        Ok(affected) => affected,
        // A statement that returns rows (a SELECT in hand-written migration SQL): run it through.
        Err(rusqlite::Error::ExecuteReturnedResults) => {
            let mut rows = statement.query(rusqlite::params_from_iter(values.iter().map(Param)))?;
            while rows.next()?.is_some() {}
            0
        }
        Err(error) => return Err(error.into()),
    };
    Ok((affected as u64, conn.last_insert_rowid()))
}

/// A sea-query value bound as a rusqlite parameter (sea-query-rusqlite targets a newer
/// rusqlite than the one sqlx's libsqlite3-sys allows; see the workspace manifest).
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        fn opt<'a, T: ToSql>(value: &'a Option<T>) -> rusqlite::Result<ToSqlOutput<'a>> {
            match value {
                Some(v) => v.to_sql(),
                None => Ok(ToSqlOutput::Owned(Owned::Null)),
            }
        }
        match self.0 {
            Value::Bool(v) => opt(v),
            Value::TinyInt(v) => opt(v),
            Value::SmallInt(v) => opt(v),
            Value::Int(v) => opt(v),
            Value::BigInt(v) => opt(v),
            Value::TinyUnsigned(v) => opt(v),
            Value::SmallUnsigned(v) => opt(v),
            Value::Unsigned(v) => opt(v),
            Value::BigUnsigned(v) => opt(v),
            Value::Float(v) => {
                Ok(ToSqlOutput::Owned(v.map_or(Owned::Null, |f| Owned::Real(f64::from(f)))))
            }
            Value::Double(v) => opt(v),
            Value::String(Some(s)) => Ok(ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes()))),
            Value::Char(v) => {
                Ok(ToSqlOutput::Owned(v.map_or(Owned::Null, |c| Owned::Text(c.to_string()))))
            }
            Value::Bytes(Some(b)) => Ok(ToSqlOutput::Borrowed(ValueRef::Blob(b))),
            Value::Json(Some(json)) => Ok(ToSqlOutput::Owned(Owned::Text(json.to_string()))),
            Value::ChronoDate(v) => opt(v),
            Value::ChronoTime(v) => opt(v),
            Value::ChronoDateTime(v) => opt(v),
            Value::ChronoDateTimeUtc(v) => opt(v),
            Value::Uuid(v) => opt(v),
            Value::Decimal(Some(d)) => Ok(ToSqlOutput::Owned(Owned::Text(d.to_string()))),
            Value::String(None) | Value::Bytes(None) | Value::Json(None) | Value::Decimal(None) => {
                Ok(ToSqlOutput::Owned(Owned::Null))
            }
            other => Err(rusqlite::Error::ToSqlConversionFailure(
                format!("SQLite cannot store {other:?}").into(),
            )),
        }
    }
}

#[cfg(test)]
mod ilike_tests {
    #[test]
    fn like_patterns_become_case_insensitive_searches() {
        let contains = super::like_regex("%ada\\%%").unwrap();
        assert!(contains.is_match("Hi ADA% there"));
        assert!(!contains.is_match("Hi ADA there"));
        let starts = super::like_regex("\u{e9}t\u{e9}%").unwrap();
        assert!(starts.is_match("\u{c9}T\u{c9} 2026"), "Unicode case folding");
        assert!(!starts.is_match("an \u{e9}t\u{e9}"));
        let one = super::like_regex("a_c").unwrap();
        assert!(one.is_match("ABC") && !one.is_match("abbc"));
    }
}
