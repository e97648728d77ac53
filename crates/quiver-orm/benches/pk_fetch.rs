//! Single-row fetch by primary key: the ORM against the driver underneath it.
//!
//! `cargo bench -p quiver-orm --bench pk_fetch`. PostgreSQL rows run when
//! `QUIVER_TEST_POSTGRES_URL` is set: ORM (`World::objects().filter(..).get(..)`) against raw
//! sqlx (`query_as(...).fetch_one`) on the same pool settings. SQLite rows compare the ORM with
//! raw rusqlite on one connection (the floor; sqlx-sqlite cannot be linked beside rusqlite).
//! Each figure is the median of 7 rounds of 5,000 sequential fetches of random keys.

use std::time::Instant;

use quiver_orm::prelude::*;

#[derive(Model, Debug, Clone)]
#[model(table = "world")]
struct World {
    #[field(primary_key)]
    id: i32,
    #[field(db_column = "randomnumber")]
    random_number: i32,
}

const ROUNDS: usize = 7;
const PER_ROUND: usize = 5_000;
const ROWS: i32 = 10_000;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Microseconds per call of `f`, median over rounds.
async fn measure<F, Fut>(mut f: F) -> f64
where
    F: FnMut(i32) -> Fut,
    Fut: std::future::Future<Output = i32>,
{
    let mut seed = 12345u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % ROWS as u64) as i32 + 1
    };
    for _ in 0..1_000 {
        f(next()).await;
    }
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let start = Instant::now();
        let mut sum = 0i64;
        for _ in 0..PER_ROUND {
            sum += i64::from(f(next()).await);
        }
        std::hint::black_box(sum);
        rounds.push(start.elapsed().as_secs_f64() * 1e6 / PER_ROUND as f64);
    }
    median(rounds)
}

async fn fill(db: &Db) {
    quiver_orm::schema::drop_tables(db, &[World::meta()]).await.unwrap();
    quiver_orm::schema::create_tables(db, &[World::meta()]).await.unwrap();
    let rows: Vec<World> =
        (1..=ROWS).map(|id| World { id, random_number: id * 7 % ROWS + 1 }).collect();
    World::bulk_create(db, rows).await.unwrap();
}

fn report(name: &str, orm: f64, raw: f64) {
    println!("{name:<10} ORM {orm:>7.2} µs   raw {raw:>7.2} µs   ORM/raw {:.3}", orm / raw);
}

async fn sqlite() {
    let path = std::env::temp_dir().join(format!("quiver-pk-bench-{}.sqlite3", std::process::id()));
    let db = Db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    fill(&db).await;
    let orm =
        measure(|id| {
            let db = db.clone();
            async move {
                World::objects().filter(World::ID.eq(id)).get(&db).await.unwrap().random_number
            }
        })
        .await;
    let conn = rusqlite::Connection::open(&path).unwrap();
    let raw = measure(|id| {
        let mut statement =
            conn.prepare_cached("SELECT id, randomnumber FROM world WHERE id = ?").unwrap();
        let value: i32 = statement.query_row([id], |row| row.get(1)).unwrap();
        async move { value }
    })
    .await;
    report("sqlite", orm, raw);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn postgres(url: &str) {
    let db =
        Db::connect_with(url, quiver_orm::PoolOptions::default().max_connections(1)).await.unwrap();
    fill(&db).await;
    let orm =
        measure(|id| {
            let db = db.clone();
            async move {
                World::objects().filter(World::ID.eq(id)).get(&db).await.unwrap().random_number
            }
        })
        .await;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false) // as the ORM's pool
        .connect(url)
        .await
        .unwrap();
    let raw = measure(|id| {
        let pool = pool.clone();
        async move {
            let row: (i32, i32) =
                sqlx::query_as("SELECT id, randomnumber FROM world WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            row.1
        }
    })
    .await;
    report("postgres", orm, raw);
    quiver_orm::schema::drop_tables(&db, &[World::meta()]).await.unwrap();
}

fn main() {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        sqlite().await;
        match std::env::var("QUIVER_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => postgres(&url).await,
            _ => println!("postgres   skipped: QUIVER_TEST_POSTGRES_URL is not set"),
        }
    });
}
