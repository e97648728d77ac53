//! The bench server (see `../shared/bench/README.md`, "Bench server contract"): listens on
//! `127.0.0.1:$PORT`, SQLite at `$BENCH_DB`, or PostgreSQL at `$BENCH_PG_URL` when set;
//! `/predict` runs `$BENCH_MODEL` when it is set, with the engine `BENCH_ENGINE` names (ort or
//! tract; without it, ONNX Runtime when `$ORT_DYLIB_PATH` is set, else tract). The engines are
//! loaded before the server listens, and one line on stderr says which. `BENCH_BARE=1` turns off
//! the request ID and the security headers, to measure what those defaults cost.

use quiver_bench::predict::{self, EngineChoice, PoolSettings};

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
    let runtime = quiver::server::runtime_builder().build()?;
    runtime.block_on(async move {
        let db = quiver::orm::Db::connect(&url).await.map_err(std::io::Error::other)?;
        let mut app = quiver_bench::app(db).access_log(false);
        if std::env::var_os("BENCH_BARE").is_some_and(|v| v == "1") {
            // Measures what the defaults cost (BENCHMARKS.md): no request ID, no security headers.
            app = app.request_id(false).security_headers(false);
        }
        if let Some(model) = std::env::var("BENCH_MODEL").ok().filter(|m| !m.is_empty()) {
            match EngineChoice::from_env()? {
                Some(engine) => {
                    let settings = PoolSettings::from_env();
                    let pool = predict::pool(&model, &engine, &settings)?;
                    eprintln!(
                        "predict: {}, {} threads, queue {}, budget {} ms, I/O niceness {}",
                        engine.name(),
                        settings.thread_count(),
                        settings.queue_capacity(),
                        settings.max_wait.as_millis(),
                        settings.io_niceness
                    );
                    app = app.state(pool).routes(predict::routes());
                }
                None => eprintln!(
                    "predict: off, no engine (set ORT_DYLIB_PATH, or build with the tract feature)"
                ),
            }
        }
        app.serve(format!("127.0.0.1:{port}")).await
    })
}
