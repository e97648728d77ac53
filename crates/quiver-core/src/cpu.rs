//! CPU-bound work off the I/O threads, with admission control.
//!
//! A [`CpuPool`] is a fixed set of OS threads (one per core by default), each with its own
//! state (an inference session, a parser), fed by a bounded queue. While the pool is busy the
//! server keeps accepting, parsing and answering other routes on its I/O threads. When the
//! queue is full, or a request would wait longer than the pool's budget, [`CpuPool::run`]
//! answers at once with [`Overloaded`] — a `503 Service Unavailable` with `Retry-After` —
//! instead of letting every request's latency grow without bound.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use quiver_core::cpu::CpuPool;
//! use quiver_core::extract::Path;
//! use quiver_core::{App, Result, testing::TestClient};
//!
//! /// Counts the primes below `n`: pure CPU work.
//! async fn primes(pool: CpuPool, Path(n): Path<u64>) -> Result<String> {
//!     let count = pool.run(move |_| (2..n).filter(|k| (2..*k).all(|d| k % d != 0)).count()).await?;
//!     Ok(count.to_string())
//! }
//!
//! let pool = CpuPool::builder().name("primes").queue(16).build().unwrap();
//! let app = App::new().state(pool).get("/primes/{n}", primes);
//! assert_eq!(TestClient::new(app).get("/primes/30").await.text(), "10");
//! # });
//! ```

use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::response::{IntoResponse, Response};
use crossbeam_channel::Sender;
use http::StatusCode;
use http::request::Parts;
use schemars::SchemaGenerator;

use crate::context::AppContext;
use crate::error::{Error, HttpError};
use crate::extract::FromRequestParts;
use crate::openapi::OperationDoc;

/// What a queued job does with its thread's state; `true` when it waited past the budget.
type Work<S> = Box<dyn FnOnce(&mut S, bool) + Send>;

/// One queued piece of work: runs with the thread's state, or learns it waited too long.
struct Job<S> {
    enqueued: Instant,
    work: Work<S>,
}

/// How much nicer than they started the I/O threads of Quiver-built runtimes should run: the
/// most any pool asked for with [`CpuPoolBuilder::io_niceness`] (0: unchanged).
static IO_NICENESS: AtomicI32 = AtomicI32::new(0);

thread_local! {
    /// The niceness this I/O thread has added to itself so far.
    static IO_NICENESS_APPLIED: Cell<i32> = const { Cell::new(0) };
}

/// Called by the runtimes [`crate::server::runtime_builder`] makes each time an I/O thread
/// wakes: takes on the niceness the pools asked for, once (an atomic load otherwise).
pub(crate) fn io_thread_unparked() {
    let wanted = IO_NICENESS.load(Ordering::Relaxed);
    if wanted == 0 {
        return;
    }
    IO_NICENESS_APPLIED.with(|applied| {
        if applied.get() < wanted {
            if let Err(error) = add_niceness(wanted - applied.get()) {
                tracing::debug!(%error, "an I/O thread could not lower its priority");
            }
            // Tried once either way: a refusal would be refused again on every wake.
            applied.set(wanted);
        }
    });
}

/// Makes the calling thread `more` nicer (a lower priority: always allowed).
#[cfg(target_os = "linux")]
fn add_niceness(more: i32) -> std::io::Result<()> {
    use rustix::process::{getpriority_process, setpriority_process};
    // On Linux the nice value belongs to the thread, named by its id.
    let thread = Some(rustix::thread::gettid());
    let now = getpriority_process(thread)?;
    setpriority_process(thread, (now + more).min(19))?;
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn add_niceness(_more: i32) -> std::io::Result<()> {
    Ok(())
}

/// A place in the pool (a thread or a queue slot), given back when dropped: after the job
/// ran, or when a job is dropped unrun. The job reaches its pool through it.
struct Admission<S> {
    pool: Arc<Shared<S>>,
}

impl<S> Drop for Admission<S> {
    fn drop(&mut self) {
        self.pool.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

struct Shared<S> {
    name: String,
    sender: Sender<Job<S>>,
    threads: usize,
    capacity: usize,
    max_wait: Option<Duration>,
    /// Jobs accepted and not finished (running or queued): at most `threads + capacity`.
    /// Counted apart from the channel so that a free thread is free even in the instant it
    /// is not yet waiting on the queue.
    admitted: AtomicUsize,
    /// Jobs waiting for a thread.
    queued: AtomicUsize,
    /// Moving average of one job's run time, in microseconds (0 until the first job).
    service_micros: AtomicU64,
}

/// A bounded pool of OS threads for CPU-bound work, each thread owning a state `S`.
/// See the [module docs](self). Cheap to clone (one `Arc`); the threads stop when the last
/// clone is dropped, after finishing the work already queued.
///
/// As a handler argument it is read from the app's state (`App::state(pool)`), and it adds the
/// `503` answer to the route's OpenAPI document.
pub struct CpuPool<S: 'static = ()> {
    shared: Arc<Shared<S>>,
}

impl<S> Clone for CpuPool<S> {
    fn clone(&self) -> Self {
        Self { shared: self.shared.clone() }
    }
}

impl<S> fmt::Debug for CpuPool<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CpuPool")
            .field("name", &self.shared.name)
            .field("threads", &self.shared.threads)
            .field("queue", &self.shared.capacity)
            .field("max_wait", &self.shared.max_wait)
            .field("queued", &self.queued())
            .finish()
    }
}

/// Sizes and names a [`CpuPool`] ([`CpuPool::builder`]).
#[derive(Debug, Clone)]
pub struct CpuPoolBuilder {
    name: String,
    threads: Option<usize>,
    capacity: Option<usize>,
    max_wait: Option<Duration>,
    io_niceness: u8,
}

impl CpuPool<()> {
    /// A builder: one thread per core the process may use, a queue of four jobs per thread,
    /// no queue-time budget.
    pub fn builder() -> CpuPoolBuilder {
        CpuPoolBuilder {
            name: "cpu".to_owned(),
            threads: None,
            capacity: None,
            max_wait: None,
            io_niceness: 0,
        }
    }
}

impl CpuPoolBuilder {
    /// The pool's name, in metrics (`pool="..."`), thread names and 503 messages.
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// How many threads run jobs at once (default: the cores this process may use).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads.max(1));
        self
    }

    /// How many jobs may wait for a thread; the next one is refused with [`Overloaded`]
    /// (default: four per thread). `0` accepts work only when a thread is free.
    pub fn queue(mut self, capacity: usize) -> Self {
        self.capacity = Some(capacity);
        self
    }

    /// The longest a job should wait for a thread: a job that would wait longer (judging by
    /// the queue and the recent run times) is refused at once, and one that did wait longer is
    /// answered with [`Overloaded`] instead of being run for a client that has given up.
    pub fn max_wait(mut self, budget: Duration) -> Self {
        self.max_wait = Some(budget);
        self
    }

    /// Lets the pool's threads win a core over the server's I/O threads when both want it: the
    /// I/O threads of the runtimes Quiver builds ([`crate::server::runtime_builder`], used by
    /// `App::run` and `Project::run`) lower their own priority by `niceness` (1–19; Linux's
    /// `nice`, per thread; default 0, unchanged) once the pool is built.
    ///
    /// For a server whose job is the pool's work (model serving): under overload the I/O
    /// threads spend the core answering refusals to clients that retry at once, taking it from
    /// work already accepted. Measured on one core with 64 clients retrying a 20 KB upload at
    /// once (`examples/bench`, `/predict`): 42 predictions/s at 0, 66/s at 10, 78/s without any
    /// refusals; the price is latency of other routes while the pool is busy (a `/json` median of
    /// 12 ms instead of 4 ms during that storm). Against a gentler loop (Locust's 200 users,
    /// about 1,800 refusals/s) it made no measurable difference. Nothing changes while the
    /// cores are not contended. The priority is not raised back when the pool is dropped.
    pub fn io_niceness(mut self, niceness: u8) -> Self {
        self.io_niceness = niceness.min(19);
        self
    }

    /// A pool without per-thread state.
    pub fn build(self) -> std::io::Result<CpuPool<()>> {
        self.build_with(|_| Ok::<(), std::convert::Infallible>(()))
    }

    /// A pool whose threads each make their state with `init(thread index)` before the pool is
    /// returned (so a model is loaded before the server answers); an `init` error is returned.
    ///
    /// ```
    /// use quiver_core::cpu::CpuPool;
    ///
    /// let pool = CpuPool::builder()
    ///     .threads(2)
    ///     .build_with(|index| Ok::<_, std::io::Error>(format!("worker {index}")))
    ///     .unwrap();
    /// # let _ = pool;
    /// ```
    pub fn build_with<S, E, F>(self, init: F) -> std::io::Result<CpuPool<S>>
    where
        S: 'static,
        E: fmt::Display,
        F: Fn(usize) -> Result<S, E> + Send + Sync + 'static,
    {
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let capacity = self.capacity.unwrap_or(threads * 4);
        // Admission is counted in `admitted`; the channel only has to hold what was admitted.
        let (sender, receiver) = crossbeam_channel::bounded::<Job<S>>(threads + capacity);
        let shared = Arc::new(Shared {
            name: self.name.clone(),
            sender,
            threads,
            capacity,
            max_wait: self.max_wait,
            admitted: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            service_micros: AtomicU64::new(0),
        });
        let init = Arc::new(init);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        for index in 0..threads {
            let receiver = receiver.clone();
            let init = init.clone();
            let ready = ready_tx.clone();
            // The workers hold the receiving end only: dropping the last pool handle (and the
            // last queued job) closes the queue and lets them finish.
            let name = self.name.clone();
            let max_wait = self.max_wait;
            std::thread::Builder::new().name(format!("{}-{index}", self.name)).spawn(
                move || {
                    let mut state = match init(index) {
                        Ok(state) => {
                            let _ = ready.send(Ok(()));
                            state
                        }
                        Err(error) => {
                            let _ = ready.send(Err(error.to_string()));
                            return;
                        }
                    };
                    drop(ready);
                    for job in receiver.iter() {
                        // Looked up per job, not once: the app may install its metrics
                        // recorder after the pool starts.
                        let busy = metrics::gauge!("cpu_pool_busy_threads", "pool" => name.clone());
                        let waited = job.enqueued.elapsed();
                        metrics::histogram!("cpu_pool_wait_seconds", "pool" => name.clone())
                            .record(waited.as_secs_f64());
                        let expired = max_wait.is_some_and(|budget| waited > budget);
                        busy.increment(1.0);
                        (job.work)(&mut state, expired);
                        busy.decrement(1.0);
                    }
                },
            )?;
        }
        drop(ready_tx);
        IO_NICENESS.fetch_max(i32::from(self.io_niceness), Ordering::Relaxed);
        for _ in 0..threads {
            match ready_rx.recv() {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    return Err(std::io::Error::other(format!(
                        "the {} pool's thread state could not be made: {error}",
                        self.name
                    )));
                }
                Err(_) => {
                    return Err(std::io::Error::other(format!(
                        "a thread of the {} pool stopped while starting",
                        self.name
                    )));
                }
            }
        }
        Ok(CpuPool { shared })
    }
}

impl<S: 'static> CpuPool<S> {
    /// Runs `work` on one of the pool's threads with that thread's state, and waits for it
    /// without holding an I/O thread. Refused at once with [`Overloaded`] when the queue is
    /// full or the wait would exceed the budget. A panic in `work` resumes in the caller (the
    /// request becomes a logged 500); the thread keeps serving.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Overloaded>
    where
        F: FnOnce(&mut S) -> T + Send + 'static,
        T: Send + 'static,
    {
        let shared = &self.shared;
        self.within_budget()?;
        let limit = shared.threads + shared.capacity;
        if shared
            .admitted
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < limit).then_some(n + 1))
            .is_err()
        {
            return Err(self.refuse(Reason::QueueFull));
        }
        let admission = Admission { pool: shared.clone() };
        let (reply, answer) = tokio::sync::oneshot::channel::<Result<T, Box<dyn Any + Send>>>();
        let job = Job {
            enqueued: Instant::now(),
            work: Box::new(move |state: &mut S, too_late: bool| {
                let pool = &admission.pool;
                pool.queued.fetch_sub(1, Ordering::Relaxed);
                queue_gauge(pool);
                // Not run for a client that is gone, nor past the budget (the caller then
                // answers 503 when the reply is dropped).
                if too_late || reply.is_closed() {
                    drop(admission);
                    return;
                }
                let started = Instant::now();
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| work(state)));
                record_service(pool, started.elapsed());
                // The place is free before the caller hears back, so its next job is taken.
                drop(admission);
                let _ = reply.send(result);
            }),
        };
        shared.queued.fetch_add(1, Ordering::Relaxed);
        queue_gauge(shared);
        // Full cannot happen (the channel holds every admitted job); a refused job gives its
        // admission back when it is dropped here.
        if shared.sender.try_send(job).is_err() {
            shared.queued.fetch_sub(1, Ordering::Relaxed);
            queue_gauge(shared);
            return Err(self.refuse(Reason::Stopped));
        }
        metrics::counter!("cpu_pool_jobs_total", "pool" => shared.name.clone()).increment(1);
        match answer.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            // The job was dropped unrun: it waited past the budget.
            Err(_) => Err(self.refuse(Reason::WaitedTooLong)),
        }
    }

    /// Whether a job submitted now would be taken: refused when every place is taken, or when
    /// it would wait past the budget.
    fn admits_now(&self) -> Result<(), Overloaded> {
        let shared = &self.shared;
        if shared.admitted.load(Ordering::Acquire) >= shared.threads + shared.capacity {
            return Err(self.refuse(Reason::QueueFull));
        }
        self.within_budget()
    }

    /// Refuses a job that would wait past the pool's budget.
    fn within_budget(&self) -> Result<(), Overloaded> {
        match self.shared.max_wait {
            Some(budget) if self.expected_wait() > budget => {
                Err(self.refuse(Reason::WouldWaitTooLong))
            }
            _ => Ok(()),
        }
    }

    /// Jobs waiting for a thread now.
    pub fn queued(&self) -> usize {
        self.shared.queued.load(Ordering::Relaxed)
    }

    /// The pool's name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// How long a job submitted now can expect to wait for a thread, from the jobs ahead of
    /// it and recent run times: nothing while a thread is free, one run time per round of
    /// `threads` jobs ahead otherwise.
    fn expected_wait(&self) -> Duration {
        let shared = &self.shared;
        // Running or queued.
        let ahead = shared.admitted.load(Ordering::Relaxed);
        if ahead < shared.threads {
            return Duration::ZERO;
        }
        let rounds = ((ahead - shared.threads) / shared.threads + 1) as u64;
        Duration::from_micros(shared.service_micros.load(Ordering::Relaxed).saturating_mul(rounds))
    }

    fn refuse(&self, reason: Reason) -> Overloaded {
        let wait = self.expected_wait();
        metrics::counter!(
            "cpu_pool_rejected_total",
            "pool" => self.shared.name.clone(),
            "reason" => reason.label()
        )
        .increment(1);
        Overloaded {
            pool: self.shared.name.clone(),
            reason,
            retry_after: wait.as_secs().max(1) + u64::from(wait.subsec_nanos() > 0),
        }
    }
}

fn queue_gauge<S>(shared: &Shared<S>) {
    metrics::gauge!("cpu_pool_queue_length", "pool" => shared.name.clone())
        .set(shared.queued.load(Ordering::Relaxed) as f64);
}

/// Folds one run time into the moving average (weight 1/8 for the newest).
fn record_service<S>(shared: &Shared<S>, took: Duration) {
    let took = took.as_micros().min(u128::from(u64::MAX)) as u64;
    let _ = shared.service_micros.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
        Some(if old == 0 { took } else { old - old / 8 + took / 8 })
    });
}

/// Why a [`CpuPool`] refused work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// Every thread was busy and the queue was full.
    QueueFull,
    /// The queue was so long the job would have waited past the pool's budget.
    WouldWaitTooLong,
    /// The job waited past the budget and was not run.
    WaitedTooLong,
    /// The pool has stopped.
    Stopped,
}

impl Reason {
    /// The `reason` label of `cpu_pool_rejected_total`.
    pub fn label(self) -> &'static str {
        match self {
            Reason::QueueFull => "queue_full",
            Reason::WouldWaitTooLong => "would_wait_too_long",
            Reason::WaitedTooLong => "waited_too_long",
            Reason::Stopped => "stopped",
        }
    }
}

/// Work a [`CpuPool`] refused: answered as `503 Service Unavailable` with `Retry-After` (the
/// seconds the queue needs to drain, at least 1) and a JSON `detail`. `?` turns it into the
/// handler's error.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_core::cpu::CpuPool;
///
/// // No queue, and the one thread busy: the next job is refused at once.
/// let pool = CpuPool::builder().threads(1).queue(0).build().unwrap();
/// let (started, wait) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
/// let busy = pool.clone();
/// let (tx, rx) = (started.0, wait.1);
/// let running = tokio::spawn(async move { busy.run(move |_| { tx.send(()).unwrap(); rx.recv().unwrap() }).await });
/// started.1.recv().unwrap();
/// let refused = pool.run(|_| ()).await.unwrap_err();
/// assert_eq!(refused.status(), 503);
/// wait.0.send(()).unwrap();
/// running.await.unwrap().unwrap();
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overloaded {
    pool: String,
    reason: Reason,
    retry_after: u64,
}

impl Overloaded {
    /// Always `503 Service Unavailable`.
    pub fn status(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    /// Why the work was refused.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The `Retry-After` value, in seconds.
    pub fn retry_after(&self) -> u64 {
        self.retry_after
    }

    fn into_http(self) -> HttpError {
        let what = match self.reason {
            Reason::QueueFull => "is at capacity",
            Reason::WouldWaitTooLong | Reason::WaitedTooLong => {
                "has a queue longer than its wait budget"
            }
            Reason::Stopped => "is shutting down",
        };
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The server is busy: the {} pool {what}. Retry in {} s.",
                self.pool, self.retry_after
            ),
        )
        .with_header("retry-after", self.retry_after.to_string())
    }
}

impl fmt::Display for Overloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} pool refused work ({})", self.pool, self.reason.label())
    }
}

impl IntoResponse for Overloaded {
    fn into_response(self) -> Response {
        self.into_http().into_response()
    }
}

impl From<Overloaded> for Error {
    fn from(overloaded: Overloaded) -> Self {
        overloaded.into_http().into()
    }
}

/// The pool from the app's state. A request the pool could not take now is refused here,
/// before its body is read: a 20 KB upload that would only be answered `503` costs the server
/// nothing but its headers. (A handler that only sometimes needs the pool takes
/// `State<CpuPool<S>>` instead and is refused by [`CpuPool::run`].)
impl<S: Send + 'static> FromRequestParts for CpuPool<S> {
    async fn from_request_parts(_parts: &mut Parts, app: &AppContext) -> crate::Result<Self> {
        match app.state::<CpuPool<S>>() {
            Some(pool) => {
                pool.admits_now()?;
                Ok(pool.clone())
            }
            None => Err(Error::internal(format!(
                "a CpuPool<{0}> was asked for but none is registered: add `.state(CpuPool::builder()...build()?)` to the App",
                std::any::type_name::<S>()
            ))),
        }
    }

    fn describe(doc: &mut OperationDoc, _: &mut SchemaGenerator) {
        doc.error_response(503, "Busy: the work queue is full; retry after `Retry-After` seconds");
    }
}
