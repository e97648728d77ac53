//! The bench server (see `../shared/bench/README.md`, "Bench server contract"): listens on
//! `127.0.0.1:$PORT`, SQLite at `$BENCH_DB`, or PostgreSQL at `$BENCH_PG_URL` when set;
//! `/predict` runs `$BENCH_MODEL` with the ONNX Runtime at `$ORT_DYLIB_PATH` (both needed for
//! the route; the sessions are made before the server listens).

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".into());
    let url = match std::env::var("BENCH_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => format!(
            "sqlite://{}",
            std::env::var("BENCH_DB").unwrap_or_else(|_| "bench.sqlite3".into())
        ),
    };
    quiver::init_logging();
    let runtime = quiver::deps::tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let db = quiver::orm::Db::connect(&url).await.map_err(std::io::Error::other)?;
        let mut app = quiver_bench::app(db).access_log(false);
        let model = std::env::var("BENCH_MODEL").ok().filter(|m| !m.is_empty());
        let dylib = std::env::var("ORT_DYLIB_PATH").ok().filter(|d| !d.is_empty());
        if let (Some(model), Some(dylib)) = (model, dylib) {
            let settings = quiver_bench::predict::PoolSettings::from_env();
            let pool = quiver_bench::predict::pool(&model, &dylib, &settings)?;
            app = app.state(pool).routes(quiver_bench::predict::routes());
        }
        app.serve(format!("127.0.0.1:{port}")).await
    })
}
