#![doc = include_str!("../README.md")]

#[cfg(feature = "camera")]
mod camera;
mod demo;
mod document;
mod enroll;
mod image_file;
mod mrz;
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
    /// Show the libraries' log events on stderr: -v info, -vv debug, -vvv trace. Without it
    /// only the command's own lines are printed (`serve` also logs warnings and errors).
    /// `SMART_ENROLL_LOG` (a `tracing` filter, e.g. `warn,smart_enroll_core=debug`) overrides it.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
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
    /// Find the document, its guidance, PDF417 barcode and MRZ in image files.
    Document(document::Args),
    /// Find and check an ICAO 9303 MRZ (TD1/TD2/TD3) in OCR text from FILE or stdin. Exit 0
    /// valid, 3 a check digit fails, 4 no MRZ found, 1 unreadable input.
    Mrz(mrz::Args),
    /// Show a registration, or verify a final token, as the integrator's backend does.
    Results(results::Args),
    /// Run the live prefilter on the desktop webcam and save the auto-captured selfie
    /// (needs a build with the `camera` feature).
    #[cfg(feature = "camera")]
    Camera(camera::Args),
    /// Run the live prefilter on the desktop webcam (this build has no `camera` feature).
    #[cfg(not(feature = "camera"))]
    Camera {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
}

/// The log filter when `SMART_ENROLL_LOG` is not set: nothing from the libraries by default
/// (the command's own `[ok]`/`[warn]`/`[fail]` lines say what happened), more with each `-v`.
/// A server has no progress lines of its own, so `serve` keeps warnings and errors.
fn default_filter(verbose: u8, serving: bool) -> &'static str {
    match (verbose, serving) {
        (0, false) => "off",
        (0, true) => "warn",
        (1, _) => "info",
        (2, _) => "debug",
        _ => "trace",
    }
}

/// Installs the `tracing` subscriber: events on stderr, ANSI colours only when stderr is a
/// terminal (and `NO_COLOR` is unset), so redirected output never holds escape codes.
fn init_tracing(default_filter: &str) {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_from_env("SMART_ENROLL_LOG")
        .unwrap_or_else(|_| EnvFilter::new(default_filter));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_tracing(default_filter(
        cli.verbose,
        matches!(cli.command, Command::Serve(_)),
    ));
    let result = match cli.command {
        // Its own exit codes: 0 valid, 3 invalid, 4 not found, 1 unreadable input.
        Command::Mrz(args) => return mrz::run(args),
        Command::Serve(args) => serve::run(args).await,
        Command::Demo(args) => demo::run(args).await,
        Command::Setup(args) => setup::run(args).await,
        Command::Enroll(args) => enroll::run(args).await,
        Command::Prefilter(args) => prefilter::run(args).await,
        Command::Results(args) => results::run(args).await,
        Command::Document(args) => document::run(args).await,
        #[cfg(feature = "camera")]
        Command::Camera(args) => camera::run(args).await,
        #[cfg(not(feature = "camera"))]
        Command::Camera { .. } => Err(anyhow::anyhow!(
            "this smart-enroll was built without the desktop camera: rebuild with \
             `cargo build --release -p smart-enroll-cli --features camera` (needs libclang-dev on Linux)"
        )),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
