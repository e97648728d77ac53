//! Counters with an expiry, shared by login throttling and rate limits: in this process's
//! memory, or in Redis so several app instances count together.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use quiver_core::Error;

/// Where counters live.
///
/// ```
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use quiver_auth::LimitStore;
///
/// let one_instance = LimitStore::memory();
/// let shared = LimitStore::redis("redis://127.0.0.1:6379").await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub enum LimitStore {
    /// This process only.
    Memory(Arc<Mutex<HashMap<String, (u64, Instant)>>>),
    /// Redis: every instance pointing at the same server shares the counts.
    Redis(redis::aio::ConnectionManager),
}

impl std::fmt::Debug for LimitStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Memory(_) => "LimitStore::Memory",
            Self::Redis(_) => "LimitStore::Redis",
        })
    }
}

/// `INCR` the key, start its window on the first hit, answer the count and the time left.
/// (`Script` hashes its source once; `invoke` then sends `EVALSHA`.)
static INCR_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
",
    )
});

static GET_SCRIPT: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
return {tonumber(count), redis.call('PTTL', KEYS[1])}
",
    )
});

impl LimitStore {
    /// Counters in this process.
    pub fn memory() -> Self {
        Self::Memory(Arc::new(Mutex::new(HashMap::new())))
    }

    /// Counters in Redis at `url` (`redis://host:port/db`).
    pub async fn redis(url: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        Ok(Self::Redis(redis::aio::ConnectionManager::new(client).await?))
    }

    fn key(name: &str) -> String {
        format!("quiver:limit:{name}")
    }

    /// Adds one hit to `name`'s window (started now if none is running); the count in the
    /// window and the time until it ends.
    pub async fn hit(&self, name: &str, window: Duration) -> Result<(u64, Duration), Error> {
        match self {
            Self::Memory(map) => {
                let now = Instant::now();
                let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
                if map.len() > 100_000 {
                    map.retain(|_, (_, end)| *end > now);
                }
                let entry = map.entry(name.to_owned()).or_insert((0, now + window));
                if entry.1 <= now {
                    *entry = (0, now + window);
                }
                entry.0 += 1;
                Ok((entry.0, entry.1 - now))
            }
            Self::Redis(connection) => {
                let mut connection = connection.clone();
                let (count, ttl): (u64, i64) = INCR_SCRIPT
                    .key(Self::key(name))
                    .arg(window.as_millis() as u64)
                    .invoke_async(&mut connection)
                    .await
                    .map_err(|e| Error::internal(format!("Redis (limits): {e}")))?;
                Ok((count, Duration::from_millis(ttl.max(0) as u64)))
            }
        }
    }

    /// The count in `name`'s running window (0 when none runs) and the time until it ends.
    pub async fn peek(&self, name: &str) -> Result<(u64, Duration), Error> {
        match self {
            Self::Memory(map) => {
                let now = Instant::now();
                let map = map.lock().unwrap_or_else(|p| p.into_inner());
                Ok(match map.get(name) {
                    Some((count, end)) if *end > now => (*count, *end - now),
                    _ => (0, Duration::ZERO),
                })
            }
            Self::Redis(connection) => {
                let mut connection = connection.clone();
                let (count, ttl): (u64, i64) = GET_SCRIPT
                    .key(Self::key(name))
                    .invoke_async(&mut connection)
                    .await
                    .map_err(|e| Error::internal(format!("Redis (limits): {e}")))?;
                Ok((count, Duration::from_millis(ttl.max(0) as u64)))
            }
        }
    }

    /// Ends `name`'s window.
    pub async fn reset(&self, name: &str) -> Result<(), Error> {
        match self {
            Self::Memory(map) => {
                map.lock().unwrap_or_else(|p| p.into_inner()).remove(name);
                Ok(())
            }
            Self::Redis(connection) => {
                let mut connection = connection.clone();
                redis::cmd("DEL")
                    .arg(Self::key(name))
                    .query_async::<()>(&mut connection)
                    .await
                    .map_err(|e| Error::internal(format!("Redis (limits): {e}")))
            }
        }
    }
}
