//! `smart-enroll serve`: run the local Smart Enroll v2 sandbox server until Ctrl-C/SIGTERM.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use smart_enroll_sandbox::{Sandbox, SandboxConfig};

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (`127.0.0.1:0` picks a free port; use `0.0.0.0:8080` for devices).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Directory for the SQLite database and stored images (created if missing).
    #[arg(long, default_value = "./smart-enroll-data")]
    pub data_dir: PathBuf,
    /// Enable the dev-only OTP outbox (`GET /sandbox/outbox?to=`).
    #[arg(long)]
    pub dev: bool,
    /// Compare one-time codes as strings only: a code sent as a JSON number is refused as
    /// `otp_does_not_match` (for testing clients against a strict server; demoOTP included).
    #[arg(long)]
    pub otp_string_only: bool,
    /// Preset client token (else generated at first start and printed once).
    #[arg(long, env = "SMART_ENROLL_CLIENT_TOKEN", hide_env_values = true)]
    pub client_token: Option<String>,
}

/// Ctrl-C / SIGTERM, registered before the sandbox starts so that a signal sent right after the
/// first stdout line is never missed.
struct StopSignal {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignal {
    fn register() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                _ => None,
            };
            Self { streams }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut int, mut term)) = self.streams {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let stop = StopSignal::register();
    let mut config = SandboxConfig::new(args.data_dir);
    config.bind = args.bind;
    config.dev = args.dev;
    config.otp_string_only = args.otp_string_only;
    config.client_token = args.client_token.filter(|t| !t.is_empty());
    // The sandbox checks the token, the data directory and the address before it writes
    // anything, and removes what it created if the database then cannot be opened.
    let sandbox = Sandbox::start(config)
        .await
        .context("the sandbox did not start")?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "smart-enroll sandbox listening on {}",
            sandbox.base_url()
        )?;
        if let Some(token) = sandbox.generated_client_token() {
            writeln!(out, "client token: {token}")?;
        }
        out.flush()?;
    }
    stop.wait().await;
    sandbox.shutdown().await;
    Ok(())
}
