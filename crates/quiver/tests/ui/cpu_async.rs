use quiver::prelude::*;

#[post("/resize", cpu)]
async fn resize(body: bytes::Bytes) -> String {
    body.len().to_string()
}

fn main() {}
