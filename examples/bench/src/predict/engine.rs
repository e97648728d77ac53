//! The engines that run the model: ONNX Runtime, or tract (pure Rust, the `tract` feature), and
//! which of them `/predict` uses.

use std::io;
use std::sync::Mutex;

use ort::environment::Environment;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;
#[cfg(feature = "tract")]
use tract_onnx::prelude::{
    DatumExt, Framework, InferenceModelExt, IntoRunnable, TypedRunnableModel, TypedSimpleState,
    tvec,
};

/// The model's input (NCHW f32) and output (`[1, 1000]` probabilities), as the bench's
/// `make_mobilenetv2.py` names them.
const INPUT: &str = "input";
const OUTPUT: &str = "probs";
const SHAPE: [usize; 4] = [1, 3, super::SIDE as usize, super::SIDE as usize];

/// Which engine runs the model, chosen once at start.
///
/// ```
/// use quiver_bench::predict::EngineChoice;
///
/// let ort = EngineChoice::Ort { dylib: "/opt/onnxruntime/libonnxruntime.so".into() };
/// assert_eq!(ort.name(), "ort");
/// assert_eq!(EngineChoice::Tract.name(), "tract");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineChoice {
    /// ONNX Runtime, loaded at run time from a `libonnxruntime.so` (the PyPI wheel's, so that
    /// every framework in the bench runs the same engine).
    Ort {
        /// The path of the library.
        dylib: String,
    },
    /// tract: pure Rust, nothing to install. Needs the `tract` feature (on by default).
    Tract,
}

impl EngineChoice {
    /// From `BENCH_ENGINE` (`ort` or `tract`) and `ORT_DYLIB_PATH`. Without `BENCH_ENGINE`: ort
    /// when `ORT_DYLIB_PATH` is set, else tract. `Ok(None)` when neither was asked for and
    /// neither can run (no `ORT_DYLIB_PATH`, and built without the `tract` feature); an error
    /// for an engine that was asked for and cannot run, or a name that is not an engine.
    pub fn from_env() -> io::Result<Option<Self>> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self::choose(var("BENCH_ENGINE").as_deref(), var("ORT_DYLIB_PATH"))
    }

    fn choose(engine: Option<&str>, dylib: Option<String>) -> io::Result<Option<Self>> {
        let tract = || {
            if cfg!(feature = "tract") {
                Ok(Some(Self::Tract))
            } else {
                Err(io::Error::other(
                    "BENCH_ENGINE=tract, but quiver-bench was built without its `tract` feature: \
                     build it with default features (or `--features tract`), or set \
                     BENCH_ENGINE=ort and ORT_DYLIB_PATH",
                ))
            }
        };
        match engine.map(|e| e.trim().to_ascii_lowercase()) {
            None => match dylib {
                Some(dylib) => Ok(Some(Self::Ort { dylib })),
                None if cfg!(feature = "tract") => Ok(Some(Self::Tract)),
                None => Ok(None),
            },
            Some(e) if e == "ort" => match dylib {
                Some(dylib) => Ok(Some(Self::Ort { dylib })),
                None => Err(io::Error::other(
                    "BENCH_ENGINE=ort needs ORT_DYLIB_PATH, the path of libonnxruntime.so \
                     (../shared/bench/setup.sh prints it), or set BENCH_ENGINE=tract",
                )),
            },
            Some(e) if e == "tract" => tract(),
            Some(e) => Err(io::Error::other(format!(
                "BENCH_ENGINE={e:?} is not an engine: set it to ort or tract, or leave it unset \
                 (ort when ORT_DYLIB_PATH is set, else tract)"
            ))),
        }
    }

    /// The engine's name, as `BENCH_ENGINE` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Ort { .. } => "ort",
            Self::Tract => "tract",
        }
    }
}

/// One pool thread's engine, what [`classify`](super::classify) runs the model with.
pub enum Engine {
    /// An ONNX Runtime session: one intra-op and one inter-op thread, all graph optimisations.
    Ort(Session),
    /// A tract run state (its own buffers) over the optimised plan that every thread shares.
    #[cfg(feature = "tract")]
    Tract(TypedSimpleState),
}

impl Engine {
    /// One engine for the calling thread (for tools and tests; the pool makes one per thread
    /// with [`pool`](super::pool)).
    ///
    /// ```no_run
    /// use quiver_bench::predict::{Engine, EngineChoice, classify};
    ///
    /// let mut engine = Engine::load("mobilenetv2.onnx", &EngineChoice::Tract)?;
    /// let top_five = classify(&mut engine, &std::fs::read("cat_224.png")?);
    /// # let _ = top_five;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load(model: &str, choice: &EngineChoice) -> io::Result<Self> {
        Loader::new(model, choice)?.engine().map_err(io::Error::other)
    }

    /// The class probabilities of one NCHW f32 image of [`SHAPE`].
    pub(super) fn probabilities(&mut self, input: Vec<f32>) -> Result<Vec<f32>, String> {
        match self {
            Self::Ort(session) => {
                let run = || -> ort::Result<Vec<f32>> {
                    let tensor = Tensor::from_array((SHAPE, input.into_boxed_slice()))?;
                    let outputs = session.run(ort::inputs![INPUT => tensor])?;
                    let (_, probabilities) = outputs[OUTPUT].try_extract_tensor::<f32>()?;
                    Ok(probabilities.to_vec())
                };
                run().map_err(|e| e.to_string())
            }
            #[cfg(feature = "tract")]
            Self::Tract(state) => {
                let mut run = || -> tract_onnx::prelude::TractResult<Vec<f32>> {
                    let tensor = tract_onnx::prelude::Tensor::from_shape(&SHAPE, &input)?;
                    let outputs = state.run(tvec![tensor.into()])?;
                    Ok(outputs[0].try_as_plain_ram()?.as_slice::<f32>()?.to_vec())
                };
                run().map_err(|e| format!("{e:#}"))
            }
        }
    }
}

/// What the pool threads make their [`Engine`] from, made once before they start: the ONNX
/// Runtime environment (each thread then loads its own session), or tract's optimised plan
/// (each thread then spawns its own run state; the plan and its weights are shared, read-only).
pub(super) enum Loader {
    Ort {
        environment: Environment,
        model: String,
    },
    #[cfg(feature = "tract")]
    Tract(std::sync::Arc<TypedRunnableModel>),
}

impl Loader {
    pub(super) fn new(model: &str, choice: &EngineChoice) -> io::Result<Self> {
        match choice {
            EngineChoice::Ort { dylib } => {
                Ok(Self::Ort { environment: ort_environment(dylib)?, model: model.to_owned() })
            }
            #[cfg(feature = "tract")]
            EngineChoice::Tract => {
                // The shape is fixed, so tract can plan every buffer and pick its kernels
                // once; the plan runs on the calling thread (tract's default executor).
                let plan = tract_onnx::onnx()
                    .model_for_path(model)
                    .and_then(|m| m.with_inputs_by_name([INPUT]))
                    .and_then(|m| m.with_outputs_by_name([OUTPUT]))
                    .and_then(|m| m.with_input_fact(0, f32::fact(SHAPE).into()))
                    .and_then(|m| m.into_optimized())
                    .and_then(|m| m.into_runnable())
                    .map_err(|e| {
                        io::Error::other(format!("tract cannot run the model {model}: {e:#}"))
                    })?;
                Ok(Self::Tract(plan))
            }
            #[cfg(not(feature = "tract"))]
            EngineChoice::Tract => Err(io::Error::other(
                "quiver-bench was built without its `tract` feature: build it with default \
                 features (or `--features tract`), or use ONNX Runtime",
            )),
        }
    }

    /// The calling thread's engine.
    pub(super) fn engine(&self) -> Result<Engine, String> {
        match self {
            Self::Ort { environment, model } => {
                let session = || -> ort::Result<Session> {
                    Session::builder(environment)?
                        .with_optimization_level(GraphOptimizationLevel::All)?
                        .with_intra_threads(1)?
                        .with_inter_threads(1)?
                        .commit_from_file(model)
                };
                session()
                    .map(Engine::Ort)
                    .map_err(|e| format!("ONNX Runtime cannot load the model {model}: {e}"))
            }
            #[cfg(feature = "tract")]
            Self::Tract(plan) => plan.spawn().map(Engine::Tract).map_err(|e| format!("{e:#}")),
        }
    }
}

/// The process's ONNX Runtime environment, made on first use. ort loads one library and makes
/// one environment per process (a second `build` fails, even after the first is dropped), so
/// every pool and engine shares this one, and a second library path is an error.
fn ort_environment(dylib: &str) -> io::Result<Environment> {
    static LOADED: Mutex<Option<(String, Environment)>> = Mutex::new(None);
    let mut loaded = LOADED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match &*loaded {
        Some((path, environment)) if path == dylib => Ok(environment.clone()),
        Some((path, _)) => Err(io::Error::other(format!(
            "ONNX Runtime is already loaded from {path} in this process, and a process can load \
             only one: use that library, not {dylib}"
        ))),
        None => {
            let unusable = |e: &dyn std::fmt::Display| {
                io::Error::other(format!("the ONNX Runtime at {dylib} cannot be used: {e}"))
            };
            let environment = ort::init_from(dylib)
                .map_err(|e| unusable(&e))?
                .with_name("quiver-bench")
                .build()
                .map_err(|e| unusable(&e))?;
            *loaded = Some((dylib.to_owned(), environment.clone()));
            Ok(environment)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose(engine: Option<&str>, dylib: Option<&str>) -> Result<Option<EngineChoice>, String> {
        EngineChoice::choose(engine, dylib.map(str::to_owned)).map_err(|e| e.to_string())
    }

    #[test]
    fn without_bench_engine_ort_when_its_library_is_set_else_tract() {
        let ort = EngineChoice::Ort { dylib: "/x/libonnxruntime.so".into() };
        assert_eq!(choose(None, Some("/x/libonnxruntime.so")), Ok(Some(ort.clone())));
        assert_eq!(choose(Some("ORT"), Some("/x/libonnxruntime.so")), Ok(Some(ort)));
        let default = if cfg!(feature = "tract") { Some(EngineChoice::Tract) } else { None };
        assert_eq!(choose(None, None), Ok(default));
    }

    #[test]
    fn bench_engine_tract_wins_over_the_ort_library() {
        let chosen = choose(Some("tract"), Some("/x/libonnxruntime.so"));
        if cfg!(feature = "tract") {
            assert_eq!(chosen, Ok(Some(EngineChoice::Tract)));
        } else {
            assert!(chosen.unwrap_err().contains("without its `tract` feature"));
        }
    }

    #[test]
    fn an_engine_that_cannot_run_or_does_not_exist_is_a_clear_error() {
        assert!(choose(Some("ort"), None).unwrap_err().contains("needs ORT_DYLIB_PATH"));
        let unknown = choose(Some("onnx"), None).unwrap_err();
        assert!(unknown.contains("\"onnx\" is not an engine: set it to ort or tract"), "{unknown}");
    }
}
