//! `quiver`, the command that starts Quiver projects and apps (Django's `django-admin`):
//! `quiver new NAME` writes a project that builds, runs and passes its own tests;
//! `quiver startapp NAME`, run inside a project, adds an app beside it.
//!
//! The files written are the templates in `template/`, built into the binary.

mod names;
mod new;
mod startapp;
mod template;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The command line.
#[derive(Debug, Parser)]
#[command(
    name = "quiver",
    version,
    about = "Start Quiver projects and apps",
    long_about = "Start Quiver projects and apps.\n\n\
        A project's own commands (runserver, migrate, makemigrations, createsuperuser, ...) are \
        its binary's: `cargo run -- --help` inside the project lists them.",
    disable_help_subcommand = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a new project: an API route, a page, a model with its migration, and tests.
    ///
    /// The project builds on its own (`cd NAME && cargo run`) and checks itself
    /// (`cargo test`): its API, its page, and that its migrations match its models.
    New {
        /// The project's name: a Rust crate name in snake_case (`blog`, `my_shop`).
        #[arg(value_parser = names::project_name)]
        name: String,
        /// Where to write it (default: ./NAME); it must not exist or be empty.
        #[arg(long, value_name = "DIR")]
        path: Option<PathBuf>,
        /// The Quiver checkout to depend on (default: the one this program was built from).
        #[arg(long, value_name = "PATH")]
        quiver_path: Option<PathBuf>,
    },
    /// Add an app to the project in the current folder: src/NAME/ and migrations/NAME/.
    ///
    /// Writes the app's model, API routes and migrations folder, then prints the lines to add
    /// to src/lib.rs; it never edits a file that is already there.
    Startapp {
        /// The app's name: a Rust module name in snake_case (`blog`, `billing`).
        #[arg(value_parser = names::app_name)]
        name: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::New { name, path, quiver_path } => {
            new::run(&name, path, quiver_path).map(|project| print!("{}", new::summary(&project)))
        }
        Command::Startapp { name } => std::env::current_dir()
            .map_err(|e| format!("cannot read the current folder: {e}"))
            .and_then(|dir| {
                startapp::run(&dir, &name).map(|app| print!("{}", startapp::summary(&app)))
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
