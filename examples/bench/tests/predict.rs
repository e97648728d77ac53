//! `/predict` with the real model and ONNX Runtime: the top five classes of the harness's cat,
//! the same for its PNG and its JPEG's best class, and clear 4xx answers for bad input. Needs
//! `BENCH_MODEL` (the MobileNetV2 `.onnx`), `ORT_DYLIB_PATH` (libonnxruntime.so 1.32) and
//! `BENCH_IMAGES` (the folder with `cat_224.png` and `cat_224.jpg`), as `../shared/bench/setup.sh`
//! makes them; skipped with a printed reason otherwise.

use quiver::testing::TestClient;
use quiver_bench::predict::{PoolSettings, pool, routes};
use serde_json::Value;

fn setup() -> Option<(String, String, std::path::PathBuf)> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    match (var("BENCH_MODEL"), var("ORT_DYLIB_PATH"), var("BENCH_IMAGES")) {
        (Some(model), Some(dylib), Some(images)) => Some((model, dylib, images.into())),
        _ => {
            eprintln!(
                "skipped: set BENCH_MODEL, ORT_DYLIB_PATH and BENCH_IMAGES (see ../shared/bench/setup.sh) to run /predict"
            );
            None
        }
    }
}

#[tokio::test]
async fn predict_answers_the_top_five_and_refuses_what_is_not_an_image() {
    let Some((model, dylib, images)) = setup() else { return };
    let settings = PoolSettings { threads: Some(1), queue: Some(4), ..PoolSettings::from_env() };
    let pool = pool(&model, &dylib, &settings).unwrap();
    let client = TestClient::new(quiver::App::new().state(pool).routes(routes()));

    let png = std::fs::read(images.join("cat_224.png")).unwrap();
    let answer = client.post("/predict").header("content-type", "image/png").body(png).await;
    assert_eq!(answer.status(), 200, "{}", answer.text());
    let top: Value = answer.json();
    let top = top.as_array().unwrap();
    assert_eq!(top.len(), 5);
    let probs: Vec<f64> = top.iter().map(|c| c["prob"].as_f64().unwrap()).collect();
    assert!(probs.windows(2).all(|w| w[0] >= w[1]), "highest first: {probs:?}");
    assert!(top.iter().all(|c| c["class"].as_u64().unwrap() < 1000));

    let jpeg = std::fs::read(images.join("cat_224.jpg")).unwrap();
    let from_jpeg: Value =
        client.post("/predict").header("content-type", "image/jpeg").body(jpeg).await.json();
    assert_eq!(from_jpeg[0]["class"], top[0]["class"], "the same cat, the same best class");

    let text = client.post("/predict").header("content-type", "text/plain").body("cat").await;
    assert_eq!(text.status(), 415);
    let garbage =
        client.post("/predict").header("content-type", "image/png").body("not a png").await;
    assert_eq!(garbage.status(), 400);
    assert!(garbage.text().contains("not an image that decodes"), "{}", garbage.text());
}
