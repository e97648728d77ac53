use quiver::prelude::*;

#[derive(Model)]
struct Post {
    id: Auto<i64>,
    title: String,
    views: i64,
}

fn main() {
    let _ = Post::objects().filter(Post::VIEWS.eq("many"));
    let _ = Post::objects().filter(Post::VIEWS.icontains("1"));
}
