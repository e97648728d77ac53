//! How long building the OpenAPI document of a 100-route app takes (it is built once, at
//! startup). `cargo bench -p quiver --bench openapi_build`; numbers go in BENCHMARKS.md.

use std::time::{Duration, Instant};

use quiver::prelude::*;

#[derive(Deserialize, JsonSchema)]
struct ItemPath {
    shop: String,
    id: u64,
}

#[derive(Deserialize, JsonSchema, Validate)]
struct Page {
    #[validate(range(min = 1, max = 100))]
    limit: Option<u32>,
    tag: Option<Vec<String>>,
}

/// A body with a nested type, so shared schemas and `$ref`s are exercised.
#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Item {
    #[validate(length(min = 1, max = 80))]
    name: String,
    price: f64,
    #[validate(nested)]
    dimensions: Dimensions,
}

#[derive(Deserialize, Serialize, JsonSchema, Validate)]
struct Dimensions {
    width: f32,
    height: f32,
}

async fn read(Path(p): Path<ItemPath>, Query(q): Query<Page>) -> Json<Vec<Item>> {
    let _ = (p.shop, p.id, q.limit, q.tag);
    Json(Vec::new())
}

async fn write(Path(p): Path<ItemPath>, Json(item): Json<Item>) -> Created<Item> {
    let _ = (p.shop, p.id);
    Created::new(item)
}

fn app() -> App {
    let mut app = App::new();
    for i in 0..50 {
        app = app.get(&format!("/shops/{{shop}}/section{i}/{{id}}"), read);
        app = app.post(&format!("/shops/{{shop}}/section{i}/{{id}}"), write);
    }
    app
}

fn main() {
    let app = app();
    assert_eq!(app.route_list().len(), 100);
    let mut times: Vec<Duration> = (0..30)
        .map(|_| {
            let start = Instant::now();
            let doc = app.openapi();
            let elapsed = start.elapsed();
            assert_eq!(doc["paths"].as_object().map(|p| p.len()), Some(50));
            elapsed
        })
        .collect();
    times.sort();
    println!(
        "openapi document, 100 routes: min {:?}, median {:?}, max {:?} (30 builds)",
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
