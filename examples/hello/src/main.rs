//! Serves the hello app on `127.0.0.1:$PORT` (default 8000). Access logs are off so that the
//! benchmark harness, which runs this binary, compares it with peers that do not log either.

fn main() -> std::io::Result<()> {
    let port = std::env::var("PORT").unwrap_or_else(|_| "8000".into());
    let api_token = std::env::var("HELLO_API_TOKEN").unwrap_or_else(|_| "dev-token".into());
    let cors_origins = std::env::var("HELLO_CORS_ORIGINS").unwrap_or_default();
    let cors_origins =
        cors_origins.split(',').filter(|o| !o.is_empty()).map(str::to_owned).collect();
    let app = hello::app(hello::Settings { api_token, cors_origins }).access_log(false);
    quiver::init_logging();
    let runtime = quiver::server::runtime_builder().build()?;
    runtime.block_on(app.serve(format!("127.0.0.1:{port}")))
}
