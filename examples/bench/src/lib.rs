//! The bench server's app: hello's plaintext/json/validate routes plus the database
//! workloads of `../shared/bench/WORKLOADS.md`, written the way a user would write them
//! with the ORM, the `auth` workload's `/me`, and `/predict` (MobileNetV2 on a CPU pool).

pub mod predict;

use quiver::auth::TokenClaims;
use quiver::auth::tokens::Jwt;
use quiver::prelude::*;

/// A row of the `world` table.
#[derive(Model, Serialize, JsonSchema, Debug, Clone)]
#[model(table = "world")]
pub struct World {
    /// The key, 1..=10000.
    #[field(primary_key)]
    pub id: i32,
    /// A number in 1..=10000.
    #[serde(rename = "randomNumber")]
    #[field(db_column = "randomnumber")]
    pub random_number: i32,
}

/// A row of the `fortune` table.
#[derive(Model, Serialize, Debug, Clone)]
#[model(table = "fortune")]
pub struct Fortune {
    /// The key.
    #[field(primary_key)]
    pub id: i32,
    /// The fortune.
    pub message: String,
}

fn random_id() -> i32 {
    fastrand::i32(1..=10_000)
}

/// `?queries=N`: clamped to 1..=500; missing or not a number means 1.
fn query_count(raw: Option<String>) -> usize {
    raw.and_then(|q| q.parse::<i64>().ok()).unwrap_or(1).clamp(1, 500) as usize
}

async fn world(db: &Db, id: i32) -> Result<World> {
    World::objects().filter(World::ID.eq(id)).get(db).await.or_404()
}

/// One random row.
#[get("/db", tag = "bench")]
async fn single(db: State<Db>) -> Result<Json<World>> {
    Ok(Json(world(&db, random_id()).await?))
}

/// `queries` random rows, one query each.
#[get("/queries", tag = "bench")]
async fn queries(db: State<Db>, #[query] queries: Option<String>) -> Result<Json<Vec<World>>> {
    // Twenty queries in a row: keep one connection for them (a no-op on SQLite).
    let worlds = db
        .pinned(async {
            let mut worlds = Vec::with_capacity(query_count(queries.clone()));
            for _ in 0..query_count(queries) {
                worlds.push(world(&db, random_id()).await?);
            }
            Ok::<_, quiver::Error>(worlds)
        })
        .await
        .or_404()??;
    Ok(Json(worlds))
}

/// `queries` random rows, each given a new number, written back in one transaction.
#[get("/updates", tag = "bench")]
async fn updates(db: State<Db>, #[query] queries: Option<String>) -> Result<Json<Vec<World>>> {
    let n = query_count(queries);
    let worlds = db
        .pinned(async {
            let mut worlds = Vec::with_capacity(n);
            for _ in 0..n {
                let mut row = world(&db, random_id()).await?;
                row.random_number = random_id();
                worlds.push(row);
            }
            Ok::<_, quiver::Error>(worlds)
        })
        .await
        .or_404()??;
    // One row per id, the last value winning, in key order (no deadlocks between writers).
    let mut latest: Vec<World> = worlds.clone();
    latest.reverse();
    latest.sort_by_key(|w| w.id);
    latest.dedup_by_key(|w| w.id);
    db.atomic(|tx| async move { World::bulk_update(&tx, &latest, &["random_number"]).await })
        .await
        .or_404()?;
    Ok(Json(worlds))
}

/// Every fortune plus one added at request time, sorted by message, as an HTML table.
#[get("/fortunes", tag = "bench")]
async fn fortunes(db: State<Db>, templates: State<Templates>) -> Result<Html<String>> {
    let mut fortunes = Fortune::objects().unordered().all(&*db).await.or_404()?;
    fortunes.push(Fortune { id: 0, message: "Additional fortune added at request time.".into() });
    fortunes.sort_by(|a, b| a.message.cmp(&b.message));
    let page = templates
        .0
        .fortunes
        .render(minijinja::context! { fortunes => minijinja::value::Serde(&fortunes) })
        .map_err(quiver::Error::internal)?;
    Ok(Html(page))
}

/// The compiled templates.
#[derive(Clone)]
pub struct Templates {
    fortunes: std::sync::Arc<minijinja::Template<'static, 'static>>,
}

impl Templates {
    fn load() -> Templates {
        let mut env = minijinja::Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.add_template("fortunes.html", include_str!("../templates/fortunes.html"))
            .expect("the fortunes template parses");
        let env: &'static minijinja::Environment<'static> = Box::leak(Box::new(env));
        Templates {
            fortunes: std::sync::Arc::new(env.get_template("fortunes.html").expect("added")),
        }
    }
}

/// What `/me` answers.
#[derive(Serialize, JsonSchema)]
pub struct Me {
    /// The token's subject.
    pub sub: String,
}

/// The `auth` workload: the subject of a verified bearer JWT (HS256), without a database.
#[get("/me")]
async fn me(TokenClaims(claims): TokenClaims) -> Json<Me> {
    Json(Me { sub: claims.sub })
}

/// The secret the bench's tokens are signed with (WORKLOADS.md).
pub const JWT_SECRET: &[u8] = b"bench-secret";

/// The bench app on database `db`.
pub fn app(db: Db) -> App {
    let settings = hello::Settings { api_token: "bench".into(), cors_origins: Vec::new() };
    hello::app(settings)
        .state(db)
        .state(Templates::load())
        .state(Jwt::hs256(JWT_SECRET))
        .routes(routes![single, queries, updates, fortunes, me])
}
