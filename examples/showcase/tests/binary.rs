//! The README's first command, as a newcomer runs it: the `showcase` binary in an empty folder
//! with nothing configured. It migrates a new SQLite file, seeds it once, prints where
//! everything is, and serves the docs, the admin, the operations endpoints, a page and the API;
//! a second start keeps the data and does not seed again. The project commands run on the
//! same binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_showcase");

/// A fresh, empty working folder.
struct Folder(std::path::PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("showcase-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BINARY);
        command.args(args).current_dir(&self.0);
        // Nothing from the developer's environment: a newcomer's machine has none of it.
        for (key, _) in std::env::vars() {
            if key.starts_with("QUIVER_") {
                command.env_remove(key);
            }
        }
        command
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running server: its address, everything it printed before serving, and its log.
struct Running {
    child: Child,
    addr: SocketAddr,
    printed: Vec<String>,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Running {
    fn start(folder: &Folder) -> Running {
        Running::start_with(folder, &[])
    }

    fn start_with(folder: &Folder, env: &[(&str, &str)]) -> Running {
        let mut child = folder
            .command(&["runserver", "--bind", "127.0.0.1:0"])
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stderr = BufReader::new(child.stderr.take().unwrap());
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = Vec::new();
        let addr = loop {
            let line = lines.next().expect("the server stopped before serving").unwrap();
            printed.push(line.clone());
            if line == "Quit with Ctrl-C." {
                let url = printed
                    .iter()
                    .skip_while(|l| !l.contains(" is running "))
                    .find_map(|l| l.split_once("http://").map(|(_, rest)| rest.to_owned()))
                    .expect("the banner names a URL");
                let host = url.split('/').next().unwrap();
                break host.parse().unwrap();
            }
        };
        // Keep reading so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Running { child, addr, printed, log }
    }

    fn get(&self, path: &str) -> (u16, String, String) {
        get(self.addr, path)
    }

    /// SIGTERM, as an orchestrator stops it; the server finishes and exits 0.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "graceful shutdown exits cleanly: {status}");
    }
}

/// One HTTP/1.1 GET: (status, head, body).
fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html,application/json\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_owned()
    };
    (status, head.to_owned(), body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

#[test]
fn the_first_command_serves_everything_and_a_second_start_keeps_the_data() {
    let folder = Folder::new("first-run");
    let first = Running::start(&folder);
    let printed = first.printed.join("\n");
    assert!(printed.contains("Applied auth.0001_initial"), "{printed}");
    assert!(printed.contains("permissions."), "the models' permissions are made: {printed}");
    for url in ["/docs", "/redoc", "/admin/"] {
        assert!(printed.contains(&format!("http://{}{url}", first.addr)), "{url} in:\n{printed}");
    }
    // What the seed printed: between the migrations and the banner.
    let seeded: Vec<String> = first
        .printed
        .iter()
        .skip_while(|l| !l.starts_with("Migrations:"))
        .skip(1)
        .take_while(|l| !l.contains(" is running "))
        .cloned()
        .collect();
    assert!(!seeded.is_empty(), "the first start seeds demo data and says so:\n{printed}");
    assert!(
        seeded.iter().any(|l| l.contains("admin")),
        "how to log in is printed once:\n{printed}"
    );

    let (status, head, body) = first.get("/docs");
    assert_eq!(status, 200);
    assert!(head.contains("text/html") && body.contains("swagger"), "{head}");
    let (status, _, body) = first.get("/redoc");
    assert!(status == 200 && body.contains("redoc"), "{body}");
    let (status, _, body) = first.get("/openapi.json");
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(document["paths"].as_object().unwrap().keys().any(|p| p.starts_with("/api/")));
    let (status, _, body) = first.get("/admin/login/");
    assert!(status == 200 && body.contains("csrf"), "{status} {body}");
    let (status, _, body) = first.get("/healthz");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, _, body) = first.get("/readyz");
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok","database":"ok"}"#));
    let (status, head, page) = first.get("/");
    assert_eq!(status, 200);
    assert!(head.contains("text/html"), "{head}");
    let (status, head, api) = first.get("/api/products");
    assert_eq!(status, 200, "{api}");
    assert!(head.contains("application/json"), "{head}");
    let products: serde_json::Value = serde_json::from_str(&api).unwrap();
    let count = products["count"].as_u64().expect("a paginated list with its total");
    assert!(count > 0, "seeded products: {api}");
    let first_name = products["results"][0]["name"].as_str().unwrap().to_owned();
    assert!(page.contains(&html_escaped(&first_name)), "the page lists products: {page}");
    let (status, _, metrics) = first.get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics
            .contains(r#"http_requests_total{method="GET",route="/api/products",status="200"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"), "{metrics}");
    assert!(metrics.contains(r#"db_pool_connections{state="open"}"#), "{metrics}");
    first.stop();

    let second = Running::start(&folder);
    let printed = second.printed.join("\n");
    assert!(!printed.contains("Applied"), "nothing left to migrate:\n{printed}");
    for line in &seeded {
        assert!(!printed.contains(line.as_str()), "seeded again ({line}):\n{printed}");
    }
    let (_, _, api) = second.get("/api/products");
    let again: serde_json::Value = serde_json::from_str(&api).unwrap();
    assert_eq!(again["count"].as_u64(), Some(count), "the data is kept, not doubled");
    second.stop();
}

fn html_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#x27;")
        .replace('"', "&quot;")
}

/// Runs a command of the binary with `stdin` as its input: (status, stdout + stderr).
fn run(folder: &Folder, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> (i32, String) {
    let mut child = folder
        .command(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.code().unwrap_or(-1), text)
}

#[test]
fn the_project_commands_run_on_the_app_binary() {
    let folder = Folder::new("commands");
    let (status, out) = run(&folder, &["migrate"], "", &[]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains("Applied shop.0001_initial"), "{out}");
    let (status, out) = run(
        &folder,
        &["createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.com"],
        "",
        &[("QUIVER_SUPERUSER_PASSWORD", "a-long-ops-passphrase")],
    );
    assert_eq!((status, out.as_str()), (0, "Superuser ops created.\n"));
    // dbshell opens sqlite3 on the app's own file.
    let (status, out) =
        run(&folder, &["dbshell"], "SELECT username, is_superuser FROM auth_user;\n", &[]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(out.trim(), "ops|1");
    let (status, out) = run(&folder, &["routes"], "", &[]);
    assert_eq!(status, 0, "{out}");
    assert!(out.lines().any(|l| l.starts_with("GET") && l.contains("/api/products")), "{out}");
    let (status, out) = run(&folder, &["showmigrations"], "", &[]);
    assert_eq!(status, 0, "{out}");
    assert!(out.contains(" [X] shop.0001_initial"), "{out}");
    // A production profile refuses the development secret key before doing anything.
    let (status, out) = run(&folder, &["migrate"], "", &[("QUIVER_PROFILE", "prod")]);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("setting `secret_key` is the development key in prod"), "{out}");
}

#[test]
fn production_logs_one_json_object_per_line_with_the_request() {
    let folder = Folder::new("prod-logs");
    let secret = ("QUIVER_SECRET_KEY", "a-production-secret-of-more-than-32-bytes-0123456789");
    let prod = [("QUIVER_PROFILE", "prod"), secret];
    // prod does not migrate on start (several instances would race): a deploy step does.
    let (status, out) = run(&folder, &["migrate"], "", &prod);
    assert_eq!(status, 0, "{out}");
    let server = Running::start_with(&folder, &prod);
    assert!(server.printed.iter().any(|l| l.contains("profile prod")), "{:?}", server.printed);
    let (status, _, _) = server.get("/api/products?ordering=-price");
    assert_eq!(status, 200);
    let (status, _, body) = server.get("/nowhere");
    assert_eq!(status, 404);
    assert!(!body.contains("<html"), "no debug page in production: {body}");
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log.lock().unwrap().clone();
    server.stop();
    let access: Vec<serde_json::Value> = log
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .filter(|entry: &serde_json::Value| entry["span"]["path"] == "/api/products")
        .collect();
    let entry = access.last().unwrap_or_else(|| panic!("no access line in {log:#?}"));
    assert_eq!(entry["span"]["method"], "GET");
    assert_eq!(entry["fields"]["status"], 200, "{entry}");
    assert!(entry["fields"]["latency"].is_string(), "{entry}");
    assert!(entry["span"]["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{entry}");
    assert!(entry["level"] == "INFO" && entry["timestamp"].is_string(), "{entry}");
}
