use quiver::prelude::*;

#[derive(Model)]
struct Note {
    text: String,
}

fn main() {}
