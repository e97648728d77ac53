//! Start-up to first served request, the way an orchestrator restarts an instance: the release
//! `showcase` binary on an already migrated SQLite file, timed from `spawn` until `/healthz`
//! answers 200 (the target is under 100 ms). Run with `cargo bench -p showcase --bench startup`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_showcase");
const RUNS: usize = 30;

fn main() {
    let dir = std::env::temp_dir().join(format!("showcase-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let command = |args: &[&str]| {
        let mut command = Command::new(BINARY);
        command.args(args).current_dir(&dir).stdout(Stdio::null()).stderr(Stdio::null());
        command
    };
    // Migrated and seeded once, as a restarted instance finds it.
    assert!(command(&["migrate"]).status().unwrap().success());

    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let addr = free_port();
        let started = Instant::now();
        let mut child = command(&["runserver", "--bind", &addr.to_string()]).spawn().unwrap();
        while !healthy(addr) {
            assert!(started.elapsed() < Duration::from_secs(10), "the server did not start");
            std::thread::sleep(Duration::from_micros(200));
        }
        times.push(started.elapsed());
        child.kill().unwrap();
        child.wait().unwrap();
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "showcase start-up to first /healthz 200 (SQLite, migrated; {RUNS} runs): min {:.1} ms, median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(times[0]),
        ms(times[RUNS / 2]),
        ms(times[RUNS * 95 / 100]),
        ms(times[RUNS - 1]),
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect(addr) else { return false };
    let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    stream.read_to_string(&mut response).is_ok() && response.starts_with("HTTP/1.1 200")
}
