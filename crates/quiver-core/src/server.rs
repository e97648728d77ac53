//! Serving an app over TCP: HTTP/1.1 with keep-alive and HTTP/2, graceful shutdown on
//! SIGINT/SIGTERM that lets in-flight requests finish within a grace period.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, ToSocketAddrs};
use tokio_util::sync::CancellationToken;

use crate::app::App;

/// A bound server, ready to run. Bind first to learn the address (port `0` picks a free one).
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// use quiver_core::{App, Server};
///
/// let server = Server::bind(App::new(), "127.0.0.1:0").await?;
/// println!("listening on {}", server.local_addr());
/// let stop = server.shutdown_handle();
/// tokio::spawn(server.run());
/// stop.shutdown(); // same as SIGTERM: finish in-flight requests, then return
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    app: App,
    grace: Duration,
    shutdown: CancellationToken,
}

/// Starts a graceful shutdown of the server it came from.
#[derive(Debug, Clone)]
pub struct ShutdownHandle(CancellationToken);

impl ShutdownHandle {
    /// Stops accepting connections; in-flight requests finish within the grace period.
    pub fn shutdown(&self) {
        self.0.cancel();
    }
}

impl Server {
    /// Binds `addr` for `app`.
    pub async fn bind(app: App, addr: impl ToSocketAddrs) -> io::Result<Self> {
        let grace = app.shutdown_grace;
        let listener = TcpListener::bind(addr).await?;
        Ok(Self { listener, app, grace, shutdown: CancellationToken::new() })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound TCP listener has an address")
    }

    /// A handle that triggers graceful shutdown, as SIGINT/SIGTERM do.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.shutdown.clone())
    }

    /// Serves until SIGINT, SIGTERM or the shutdown handle; then waits for in-flight requests up
    /// to the grace period.
    pub async fn run(self) -> io::Result<()> {
        let Server { listener, app, grace, shutdown } = self;
        // Each connection's service knows its peer, for `ClientIp`.
        let service = MakePeerService(app.into_service());
        let signal = shutdown.clone();
        tokio::spawn(async move {
            wait_for_signal().await;
            signal.cancel();
        });
        let stop = shutdown.clone();
        let serve = axum::serve(listener, service)
            .with_graceful_shutdown(async move { stop.cancelled().await });
        let deadline = async {
            shutdown.cancelled().await;
            tracing::info!(
                grace_secs = grace.as_secs_f32(),
                "shutting down: finishing in-flight requests"
            );
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            result = serve => result,
            () = deadline => {
                tracing::warn!("grace period over: closing the remaining connections");
                Ok(())
            }
        }
    }
}

tokio::task_local! {
    /// The peer of the connection serving the current request, for
    /// [`ClientIp`](crate::security::ClientIp). A task-local set per request from the
    /// per-connection service: no extension (and no allocation) per request.
    pub(crate) static PEER: SocketAddr;
}

/// Makes one [`PeerService`] per connection, knowing its peer.
#[derive(Clone)]
struct MakePeerService<S>(S);

impl<S: Clone> tower::Service<axum::serve::IncomingStream<'_, TcpListener>> for MakePeerService<S> {
    type Response = PeerService<S>;
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<PeerService<S>, std::convert::Infallible>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: axum::serve::IncomingStream<'_, TcpListener>) -> Self::Future {
        std::future::ready(Ok(PeerService { peer: *stream.remote_addr(), inner: self.0.clone() }))
    }
}

/// Runs each request of one connection with [`PEER`] set.
#[derive(Clone)]
struct PeerService<S> {
    peer: SocketAddr,
    inner: S,
}

impl<S, R> tower::Service<R> for PeerService<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = tokio::task::futures::TaskLocalFuture<SocketAddr, S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        PEER.scope(self.peer, self.inner.call(request))
    }
}

async fn wait_for_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

impl App {
    /// Serves the app on `addr` until SIGINT/SIGTERM (see [`Server`]).
    pub async fn serve(self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let server = Server::bind(self, addr).await?;
        let base = format!("http://{}", server.local_addr());
        match server.app.docs_path() {
            Some(docs) => tracing::info!("serving on {base} — API docs at {base}{docs}"),
            None => tracing::info!("serving on {base}"),
        }
        server.run().await
    }

    /// Starts a multi-threaded Tokio runtime, logs to stderr (`RUST_LOG` filters), and serves on
    /// `QUIVER_BIND` (default `127.0.0.1:8000`). The whole `main` of a small app.
    ///
    /// ```no_run
    /// fn main() -> std::io::Result<()> {
    ///     quiver_core::App::new().run()
    /// }
    /// ```
    pub fn run(self) -> io::Result<()> {
        crate::init_logging();
        let bind = std::env::var("QUIVER_BIND").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
        runtime_builder().build()?.block_on(self.serve(bind))
    }
}

/// The multi-threaded Tokio runtime Quiver's own `run` methods start (timers and I/O on, one
/// I/O thread per core), for a `main` that builds its own: its I/O threads take on a CPU pool's
/// [`io_niceness`](crate::cpu::CpuPoolBuilder::io_niceness).
///
/// ```no_run
/// fn main() -> std::io::Result<()> {
///     let runtime = quiver_core::server::runtime_builder().worker_threads(2).build()?;
///     runtime.block_on(quiver_core::App::new().serve("127.0.0.1:8000"))
/// }
/// ```
pub fn runtime_builder() -> tokio::runtime::Builder {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all().on_thread_unpark(crate::cpu::io_thread_unparked);
    builder
}
