use quiver::prelude::*;

struct Settings;

#[get("/items")]
async fn list(_settings: Settings) -> &'static str {
    "[]"
}

fn main() {
    let _ = App::new().routes(routes![list]);
}
