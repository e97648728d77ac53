//! `POST /predict` (WORKLOADS.md, "ML"): the top five MobileNetV2 classes of a JPEG or PNG.
//!
//! Decoding and inference are CPU-bound: they run on a [`CpuPool`] whose threads each own an
//! [`Engine`], made before the server answers. The I/O threads only read the body and write
//! the answer, so other routes keep answering while every core infers; when the queue is full
//! or a request would wait past the budget, it gets `503` with `Retry-After` at once.
//!
//! Two engines can run the same `.onnx` file, each on one core per pool thread, with the same
//! decoding, resize, normalisation and top five:
//!
//! - **ort**: ONNX Runtime, loaded at run time from the `libonnxruntime.so` at
//!   `ORT_DYLIB_PATH` (the PyPI wheel's, so every framework in the bench runs the same engine);
//!   one session per thread, all graph optimisations.
//! - **tract**: pure Rust, nothing to install (the `tract` feature, on by default). The model
//!   is optimised once for its fixed `[1, 3, 224, 224]` f32 input; the threads share that plan
//!   and each keeps its own run state.
//!
//! [`EngineChoice::from_env`] picks one at start: `BENCH_ENGINE=ort` or `BENCH_ENGINE=tract`;
//! without it, ort when `ORT_DYLIB_PATH` is set, else tract.

mod engine;

use std::time::Duration;

use image::imageops::FilterType;
use quiver::cpu::CpuPool;
use quiver::prelude::*;

pub use engine::{Engine, EngineChoice};

const SIDE: u32 = 224;
const MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const STD: [f32; 3] = [0.229, 0.224, 0.225];

/// One of the five most likely classes.
#[derive(Serialize, JsonSchema, Debug, Clone, PartialEq)]
pub struct Class {
    /// The ImageNet class index, 0..1000.
    pub class: usize,
    /// Its probability.
    pub prob: f32,
}

/// How the inference pool is sized and guarded.
#[derive(Debug, Clone)]
pub struct PoolSettings {
    /// Inference threads (default: the cores the process may use).
    pub threads: Option<usize>,
    /// Requests that may wait for a thread (default 32 per thread; see BENCHMARKS.md for 64
    /// and for no limit).
    pub queue: Option<usize>,
    /// The longest a request should wait for a thread before it is refused (default 1 s).
    pub max_wait: Duration,
    /// How much the I/O threads yield to inference when they compete for a core (default 0;
    /// see `CpuPoolBuilder::io_niceness` and BENCHMARKS.md: it pays against wrk's storm of
    /// retries, not against the seed scenario's Locust).
    pub io_niceness: u8,
}

impl PoolSettings {
    /// From `QUIVER_PREDICT_THREADS`, `QUIVER_PREDICT_QUEUE`, `QUIVER_PREDICT_MAX_WAIT_MS`,
    /// `QUIVER_PREDICT_IO_NICENESS`.
    pub fn from_env() -> Self {
        let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
        Self {
            threads: number("QUIVER_PREDICT_THREADS").map(|n| n as usize),
            queue: number("QUIVER_PREDICT_QUEUE").map(|n| n as usize),
            max_wait: Duration::from_millis(number("QUIVER_PREDICT_MAX_WAIT_MS").unwrap_or(1000)),
            io_niceness: number("QUIVER_PREDICT_IO_NICENESS").map_or(0, |n| n.min(19) as u8),
        }
    }

    /// The inference threads: [`threads`](Self::threads), or the cores the process may use.
    pub fn thread_count(&self) -> usize {
        self.threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// The requests that may wait: [`queue`](Self::queue), or 32 per thread.
    pub fn queue_capacity(&self) -> usize {
        self.queue.unwrap_or(32 * self.thread_count())
    }
}

/// The inference pool: one [`Engine`] of the chosen kind per thread.
///
/// The threads load their engines before this returns, so a model that cannot be loaded is an
/// error here, not on the first request.
pub fn pool(
    model: &str,
    engine: &EngineChoice,
    settings: &PoolSettings,
) -> std::io::Result<CpuPool<Engine>> {
    let loader = engine::Loader::new(model, engine)?;
    CpuPool::builder()
        .name("predict")
        .threads(settings.thread_count())
        .queue(settings.queue_capacity())
        .max_wait(settings.max_wait)
        .io_niceness(settings.io_niceness)
        .build_with(move |_| loader.engine())
}

/// Why an image could not be classified.
#[derive(Debug)]
pub enum PredictError {
    /// The bytes are not a JPEG or PNG that decodes (400).
    BadImage(String),
    /// The model failed (500).
    Inference(String),
}

/// The five most likely classes of an image (JPEG or PNG, sent as the raw body).
#[post(
    "/predict",
    tag = "bench",
    error(400, "The body is not an image that decodes"),
    error(415, "Only image/jpeg and image/png")
)]
async fn predict(
    pool: CpuPool<Engine>,
    #[header] content_type: Option<String>,
    body: bytes::Bytes,
) -> Result<Json<Vec<Class>>> {
    let kind = content_type.as_deref().unwrap_or_default();
    let kind = kind.split(';').next().unwrap_or_default().trim();
    if !kind.eq_ignore_ascii_case("image/jpeg") && !kind.eq_ignore_ascii_case("image/png") {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("send image/jpeg or image/png, not {kind:?}"),
        )
        .into());
    }
    Ok(Json(pool.run(move |engine| classify(engine, &body)).await??))
}

/// The `/predict` route.
pub fn routes() -> Vec<quiver::Route> {
    routes![predict]
}

/// Decode, resize when needed (bilinear), normalise to NCHW f32, infer, keep the top five.
pub fn classify(engine: &mut Engine, bytes: &[u8]) -> Result<Vec<Class>, PredictError> {
    let input = preprocess(bytes)?;
    let probabilities = engine.probabilities(input).map_err(PredictError::Inference)?;
    Ok(top_five(&probabilities))
}

fn preprocess(bytes: &[u8]) -> Result<Vec<f32>, PredictError> {
    let image = image::load_from_memory(bytes)
        .map_err(|e| PredictError::BadImage(format!("the body is not an image that decodes: {e}")))?
        .to_rgb8();
    let image = if image.dimensions() == (SIDE, SIDE) {
        image
    } else {
        image::imageops::resize(&image, SIDE, SIDE, FilterType::Triangle)
    };
    let plane = (SIDE * SIDE) as usize;
    let mut planes = vec![0f32; 3 * plane];
    for (index, pixel) in image.pixels().enumerate() {
        for channel in 0..3 {
            planes[channel * plane + index] =
                (f32::from(pixel[channel]) / 255.0 - MEAN[channel]) / STD[channel];
        }
    }
    Ok(planes)
}

/// The five highest probabilities, highest first.
fn top_five(probabilities: &[f32]) -> Vec<Class> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_unstable_by(|a, b| probabilities[*b].total_cmp(&probabilities[*a]));
    order.truncate(5);
    order.into_iter().map(|class| Class { class, prob: probabilities[class] }).collect()
}

impl From<PredictError> for quiver::Error {
    fn from(error: PredictError) -> Self {
        match error {
            PredictError::BadImage(why) => HttpError::bad_request(why).into(),
            PredictError::Inference(why) => quiver::Error::internal(std::io::Error::other(why)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_five_are_the_highest_first() {
        let p = [0.1, 0.3, 0.05, 0.2, 0.15, 0.12, 0.08];
        let top: Vec<usize> = top_five(&p).into_iter().map(|c| c.class).collect();
        assert_eq!(top, [1, 3, 4, 5, 0]);
    }

    #[test]
    fn bytes_that_are_not_an_image_are_a_bad_image() {
        assert!(matches!(preprocess(b"not an image"), Err(PredictError::BadImage(_))));
    }
}
