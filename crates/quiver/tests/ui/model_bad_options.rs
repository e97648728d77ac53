use quiver::prelude::*;

#[derive(Model)]
#[model(table = "notes", ordering = ["-created"], colour = "blue")]
struct Note {
    id: Auto<i64>,
    #[field(max_lenght = 20)]
    text: String,
    #[field(on_delete = cascade)]
    score: i32,
}

#[derive(Model)]
struct Board {
    id: Auto<i64>,
}

#[derive(Model)]
struct Pin {
    id: Auto<i64>,
    #[field(on_delete = explode)]
    board: ForeignKey<Board>,
}

fn main() {}
