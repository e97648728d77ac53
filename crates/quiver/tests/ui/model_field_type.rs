use quiver::prelude::*;

struct Colour(u8, u8, u8);

#[derive(Model)]
struct Paint {
    id: Auto<i64>,
    colour: Colour,
}

fn main() {}
