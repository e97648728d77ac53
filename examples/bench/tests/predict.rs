//! `/predict` with the real model, on each engine: the reference top five of the harness's cat,
//! the same best class for its JPEG, clear 4xx answers for bad input, and tract and ONNX
//! Runtime agreeing on every image. Needs `BENCH_MODEL` (the MobileNetV2 `.onnx`) and
//! `BENCH_IMAGES` (the folder with `cat_224.png`, `cat_224.jpg` and `photo_640x480.jpg`), plus
//! `ORT_DYLIB_PATH` (libonnxruntime.so 1.32) for ONNX Runtime, as `../shared/bench/setup.sh`
//! makes them; each test is skipped with a printed reason when what it needs is not set.

use std::path::PathBuf;

use quiver::testing::TestClient;
use quiver_bench::predict::{EngineChoice, PoolSettings, pool, routes};
use serde_json::Value;

/// The top five of `cat_224.png` by the Python reference: `reference_top5` of
/// `../shared/bench/check.py` (Pillow decoding, NumPy normalisation, onnxruntime 1.32.0 on one
/// thread), run once on the model `make_mobilenetv2.py` makes with its default seed 0
/// (sha256 a9025180…). Another model needs other numbers.
const REFERENCE: [(u64, f64); 5] = [
    (134, 0.03470873087644577),
    (747, 0.028800684958696365),
    (930, 0.01917704939842224),
    (986, 0.016467595472931862),
    (137, 0.015462894923985004),
];

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The model and the images folder, or `None` (with the reason printed).
fn model_and_images() -> Option<(String, PathBuf)> {
    match (var("BENCH_MODEL"), var("BENCH_IMAGES")) {
        (Some(model), Some(images)) => Some((model, images.into())),
        _ => {
            eprintln!(
                "skipped: set BENCH_MODEL and BENCH_IMAGES (see ../shared/bench/setup.sh) to run /predict"
            );
            None
        }
    }
}

/// ONNX Runtime, or `None` (with the reason printed).
fn ort() -> Option<EngineChoice> {
    let engine = var("ORT_DYLIB_PATH").map(|dylib| EngineChoice::Ort { dylib });
    if engine.is_none() {
        eprintln!("skipped: set ORT_DYLIB_PATH (see ../shared/bench/setup.sh) to run ONNX Runtime");
    }
    engine
}

/// One engine's `/predict`: the PNG's top five is the reference, the JPEG has the same best
/// class, and what is not an image is refused with 415 or 400.
async fn answers_the_reference_and_refuses_what_is_not_an_image(engine: EngineChoice) {
    let Some((model, images)) = model_and_images() else { return };
    let settings = PoolSettings { threads: Some(1), queue: Some(4), ..PoolSettings::from_env() };
    let pool = pool(&model, &engine, &settings).unwrap();
    let client = TestClient::new(quiver::App::new().state(pool).routes(routes()));

    let png = std::fs::read(images.join("cat_224.png")).unwrap();
    let answer = client.post("/predict").header("content-type", "image/png").body(png).await;
    assert_eq!(answer.status(), 200, "{}", answer.text());
    let top: Value = answer.json();
    let top: Vec<(u64, f64)> = top
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["class"].as_u64().unwrap(), c["prob"].as_f64().unwrap()))
        .collect();
    let classes: Vec<u64> = top.iter().map(|(class, _)| *class).collect();
    let expected: Vec<u64> = REFERENCE.iter().map(|(class, _)| *class).collect();
    assert_eq!(classes, expected, "{}: the reference's classes, highest first", engine.name());
    for ((class, prob), (_, reference)) in top.iter().zip(REFERENCE) {
        assert!(
            (prob - reference).abs() < 1e-4,
            "{}: class {class} has probability {prob}, the reference {reference}",
            engine.name()
        );
    }

    let jpeg = std::fs::read(images.join("cat_224.jpg")).unwrap();
    let from_jpeg: Value =
        client.post("/predict").header("content-type", "image/jpeg").body(jpeg).await.json();
    assert_eq!(from_jpeg[0]["class"], classes[0], "the same cat, the same best class");

    let text = client.post("/predict").header("content-type", "text/plain").body("cat").await;
    assert_eq!(text.status(), 415);
    let garbage =
        client.post("/predict").header("content-type", "image/png").body("not a png").await;
    assert_eq!(garbage.status(), 400);
    assert!(garbage.text().contains("not an image that decodes"), "{}", garbage.text());
}

#[tokio::test]
async fn ort_answers_the_reference_top_five_and_refuses_what_is_not_an_image() {
    let Some(engine) = ort() else { return };
    answers_the_reference_and_refuses_what_is_not_an_image(engine).await;
}

#[cfg(feature = "tract")]
#[tokio::test]
async fn tract_answers_the_reference_top_five_and_refuses_what_is_not_an_image() {
    answers_the_reference_and_refuses_what_is_not_an_image(EngineChoice::Tract).await;
}

/// The PNG, the JPEG and the photo that has to be resized: the same five classes, in the same
/// order, from both engines (the preprocessing is shared, so only inference can differ).
#[cfg(feature = "tract")]
#[test]
fn tract_and_ort_agree_on_the_top_five_of_every_image() {
    use quiver_bench::predict::{Engine, classify};

    let Some((model, images)) = model_and_images() else { return };
    let Some(ort) = ort() else { return };
    let mut ort = Engine::load(&model, &ort).unwrap();
    let mut tract = Engine::load(&model, &EngineChoice::Tract).unwrap();
    for name in ["cat_224.png", "cat_224.jpg", "photo_640x480.jpg"] {
        let bytes = std::fs::read(images.join(name)).unwrap();
        let by_ort = classify(&mut ort, &bytes).unwrap();
        let by_tract = classify(&mut tract, &bytes).unwrap();
        let classes = |top: &[quiver_bench::predict::Class]| -> Vec<usize> {
            top.iter().map(|c| c.class).collect()
        };
        assert_eq!(
            classes(&by_tract),
            classes(&by_ort),
            "{name}: tract {by_tract:?}, ort {by_ort:?}"
        );
        for (t, o) in by_tract.iter().zip(&by_ort) {
            assert!((t.prob - o.prob).abs() < 1e-4, "{name}: tract {by_tract:?}, ort {by_ort:?}");
        }
    }
}
