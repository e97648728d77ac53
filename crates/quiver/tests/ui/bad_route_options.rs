use quiver::prelude::*;

#[get("items", colour = "blue", tag = 3)]
async fn list() -> &'static str {
    "[]"
}

fn main() {}
