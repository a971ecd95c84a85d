#![doc = include_str!("../README.md")]

mod demo;
mod enroll;
mod image_file;
mod onnx;
mod outbox;
mod prefilter;
mod progress;
mod results;
mod runner;
mod serve;
mod setup;
mod specimen;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "smart-enroll", version, about = "Smart Enroll SDK tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the local Smart Enroll v2 sandbox server.
    Serve(serve::Args),
    /// Run a whole demo enrollment against an embedded sandbox (the main job).
    Demo(demo::Args),
    /// Create a project and a flow on a Smart Enroll API.
    Setup(setup::Args),
    /// Run an enrollment against any Smart Enroll API.
    Enroll(enroll::Args),
    /// Run the on-device liveness prefilter on image files.
    Prefilter(prefilter::Args),
    /// Show a registration, or verify a final token, as the integrator's backend does.
    Results(results::Args),
}

fn init_tracing(default_filter: &str) {
    let filter = EnvFilter::try_from_env("SMART_ENROLL_LOG")
        .unwrap_or_else(|_| EnvFilter::new(default_filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The demo's embedded sandbox would interleave its request logs with the progress output.
    init_tracing(match cli.command {
        Command::Demo(_) => "warn",
        // `enroll` reports a missing face detector itself, in one line.
        Command::Enroll(_) => "warn,smart_enroll_prefilter=error",
        _ => "warn,smart_enroll_sandbox=info",
    });
    let result = match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Setup(args) => setup::run(args).await,
        Command::Enroll(args) => enroll::run(args).await,
        Command::Prefilter(args) => prefilter::run(args).await,
        Command::Results(args) => results::run(args).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
