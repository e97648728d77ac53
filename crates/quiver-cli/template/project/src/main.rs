//! Runs {{name}}. `cargo run` serves it (applying the migrations first); `cargo run -- --help`
//! lists the other commands: migrate, makemigrations, createsuperuser, routes, check --deploy...

fn main() -> std::process::ExitCode {
    {{name}}::project().run()
}
