use quiver::prelude::*;

#[derive(Deserialize, JsonSchema, Validate)]
struct Item {
    name: String,
}

async fn create(Json(_item): Json<Item>, #[allow(unused)] _q: Query<Item>) -> &'static str {
    "ok"
}

fn main() {
    let _ = App::new().post("/items", create);
}
