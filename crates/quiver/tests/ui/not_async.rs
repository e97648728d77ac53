use quiver::prelude::*;

#[get("/items")]
fn list() -> &'static str {
    "[]"
}

fn main() {}
