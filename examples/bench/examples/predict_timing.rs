//! Time per prediction of each engine on one thread: the median of 50 `classify` calls on one
//! image (decode, normalise, infer, top five), after 5 to warm up.
//!
//! ```sh
//! BENCH_MODEL=~/.cache/quiver-ml/mobilenetv2.onnx BENCH_IMAGES=~/.cache/quiver-ml \
//! ORT_DYLIB_PATH=…/libonnxruntime.so.1.32.0 cargo run --release -p quiver-bench --example predict_timing
//! ```
//!
//! Runs tract when built with the `tract` feature, and ONNX Runtime when `ORT_DYLIB_PATH` is
//! set. `BENCH_TIMING_IMAGE` picks another image of `BENCH_IMAGES` (default `cat_224.png`).

use std::time::{Duration, Instant};

use quiver_bench::predict::{Engine, EngineChoice, classify};

const WARM_UP: usize = 5;
const RUNS: usize = 50;

fn main() -> std::io::Result<()> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let need = |name: &str| {
        var(name).ok_or_else(|| std::io::Error::other(format!("set {name} (see the module docs)")))
    };
    let model = need("BENCH_MODEL")?;
    let image = var("BENCH_TIMING_IMAGE").unwrap_or_else(|| "cat_224.png".into());
    let bytes = std::fs::read(std::path::Path::new(&need("BENCH_IMAGES")?).join(&image))?;

    let mut engines = Vec::new();
    if cfg!(feature = "tract") {
        engines.push(EngineChoice::Tract);
    }
    if let Some(dylib) = var("ORT_DYLIB_PATH") {
        engines.push(EngineChoice::Ort { dylib });
    }
    println!("{image}, one thread, median of {RUNS} after {WARM_UP} to warm up");
    for choice in engines {
        let started = Instant::now();
        let mut engine = Engine::load(&model, &choice)?;
        let load = started.elapsed();
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        for run in 0..WARM_UP + RUNS {
            let started = Instant::now();
            let top = classify(&mut engine, &bytes)
                .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
            if run >= WARM_UP {
                times.push(started.elapsed());
            }
            std::hint::black_box(top);
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{:>5}: median {:.2} ms (min {:.2}, max {:.2}), loaded in {:.0} ms",
            choice.name(),
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(times[RUNS - 1]),
            ms(load)
        );
    }
    Ok(())
}
