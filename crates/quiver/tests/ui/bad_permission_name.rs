use quiver::prelude::*;

async fn publish(_: Require<perm!("change_article")>) {}

fn main() {}
