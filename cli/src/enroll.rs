//! `smart-enroll enroll`: runs one enrollment against any Smart Enroll API.
//!
//! Codes are prompted for on a terminal, or read one per line from stdin otherwise (scripts,
//! tests). Every state is printed; `--json` prints a single JSON object at the end instead.

use std::io::{BufRead, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::json;
use smart_enroll_core::{
    ClientConfig, DocumentCategory, DocumentSide, EnrollmentSession, InsecureHttp, PhoneChannel,
    SignUpData, SmartEnrollClient,
};

use crate::progress::{Mode, Progress};
use crate::runner::{self, Inputs};

/// Document kinds, as accepted on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DocumentArg {
    /// Passport (one side).
    Passport,
    /// National ID card (front and back).
    Id,
    /// Driver licence (front and back).
    License,
}

/// Phone channels, as accepted on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ChannelArg {
    /// SMS.
    Sms,
    /// WhatsApp.
    Whatsapp,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// API base URL without `/v2`, e.g. `https://api.verifik.co` or `http://127.0.0.1:8080`.
    #[arg(long)]
    pub api_url: String,
    /// Project id.
    #[arg(long)]
    pub project: String,
    /// Flow id.
    #[arg(long)]
    pub flow: String,
    /// Enrollee's email.
    #[arg(long)]
    pub email: Option<String>,
    /// Enrollee's phone, digits only, without the country code.
    #[arg(long, requires = "country_code")]
    pub phone: Option<String>,
    /// Country calling code for --phone, e.g. +57.
    #[arg(long, requires = "phone")]
    pub country_code: Option<String>,
    /// Enrollee's full name.
    #[arg(long)]
    pub name: Option<String>,
    /// Document front image (JPEG, PNG or WebP).
    #[arg(long)]
    pub document_front: Option<PathBuf>,
    /// Document back image (ID cards and licences).
    #[arg(long, requires = "document_front")]
    pub document_back: Option<PathBuf>,
    /// Kind of document (default: passport without --document-back, ID card with it).
    #[arg(long, value_enum)]
    pub document_type: Option<DocumentArg>,
    /// Selfie image (JPEG, PNG or WebP).
    #[arg(long)]
    pub selfie: Option<PathBuf>,
    /// Phone channel when the flow offers both.
    #[arg(long, value_enum, default_value_t = ChannelArg::Sms)]
    pub channel: ChannelArg,
    /// Allow plain HTTP to a host that is not loopback (never for production).
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Print one JSON object at the end (and nothing else on stdout).
    #[arg(long)]
    pub json: bool,
}

/// Whether `api_url` points at a loopback address (where plain HTTP needs no flag).
fn is_loopback_url(api_url: &str) -> bool {
    let Some(rest) = api_url.trim().strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A client for the CLI: HTTPS anywhere, plain HTTP to loopback, and plain HTTP to other hosts
/// only with `--allow-insecure-http`.
pub fn client_for(api_url: &str, allow_insecure_http: bool) -> anyhow::Result<SmartEnrollClient> {
    let mut config = ClientConfig::new(api_url);
    config.user_agent = Some(format!("smart-enroll-cli/{}", env!("CARGO_PKG_VERSION")));
    config.allow_insecure_http = if allow_insecure_http && !is_loopback_url(api_url) {
        let host = api_url
            .trim()
            .strip_prefix("http://")
            .and_then(|r| r.split(['/', '?', '#']).next())
            .map(|a| a.rsplit_once(':').map_or(a, |(h, _)| h))
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        InsecureHttp::Hosts { hosts: vec![host] }
    } else {
        InsecureHttp::Loopback
    };
    SmartEnrollClient::new(config).with_context(|| {
        if api_url.trim().starts_with("http://") && !is_loopback_url(api_url) {
            "plain HTTP is allowed only to loopback addresses; use HTTPS or pass --allow-insecure-http"
                .to_owned()
        } else {
            "invalid --api-url".to_owned()
        }
    })
}

fn read_image(path: &PathBuf, what: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("reading the {what} image {}", path.display()))
}

/// Reads codes from a terminal prompt or from stdin lines.
struct LineSource {
    tty: bool,
}

impl LineSource {
    async fn next_code(&self, prompt: String) -> anyhow::Result<String> {
        let tty = self.tty;
        tokio::task::spawn_blocking(move || {
            if tty {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{prompt}: ");
                let _ = err.flush();
            }
            let mut line = String::new();
            let n = std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading a code from stdin")?;
            if n == 0 {
                bail!("stdin ended before the code was given ({prompt})");
            }
            Ok(line.trim().to_owned())
        })
        .await
        .context("the stdin reader failed")?
    }
}

struct CliInputs {
    lines: LineSource,
    channel: PhoneChannel,
    front: Option<PathBuf>,
    back: Option<PathBuf>,
    document_type: Option<DocumentArg>,
    selfie: Option<PathBuf>,
}

impl Inputs for CliInputs {
    async fn email_code(&mut self, masked_email: &str) -> anyhow::Result<String> {
        self.lines
            .next_code(format!("Code sent to {masked_email} (or \"resend\")"))
            .await
    }

    async fn phone_code(
        &mut self,
        masked_phone: &str,
        channel: PhoneChannel,
    ) -> anyhow::Result<String> {
        self.lines
            .next_code(format!(
                "Code sent to {masked_phone} by {} (or \"resend\")",
                runner::channel_name(channel)
            ))
            .await
    }

    fn phone_channel(&mut self, channels: &[PhoneChannel]) -> PhoneChannel {
        if channels.contains(&self.channel) {
            self.channel
        } else {
            channels.first().copied().unwrap_or(self.channel)
        }
    }

    async fn document(
        &mut self,
        side: DocumentSide,
        accepted: &[DocumentCategory],
    ) -> anyhow::Result<Option<(Vec<u8>, DocumentCategory)>> {
        let category = match self.document_type {
            Some(DocumentArg::Passport) => DocumentCategory::Passport,
            Some(DocumentArg::Id) => DocumentCategory::GovernmentId,
            Some(DocumentArg::License) => DocumentCategory::DriverLicense,
            None if self.back.is_some() => DocumentCategory::GovernmentId,
            None => DocumentCategory::Passport,
        };
        if !accepted.is_empty() && !accepted.contains(&category) {
            bail!(
                "the flow does not accept {category:?} documents (it accepts {accepted:?}); pass --document-type"
            );
        }
        let path = match side {
            DocumentSide::Front => self.front.as_ref(),
            DocumentSide::Back => match self.back.as_ref() {
                Some(p) => Some(p),
                None if self.front.is_some() => {
                    bail!("the server asks for the back side of the document: pass --document-back")
                }
                None => None,
            },
        };
        match path {
            Some(p) => Ok(Some((read_image(p, "document")?, category))),
            None => Ok(None),
        }
    }

    async fn selfie(&mut self, _progress: &mut Progress) -> anyhow::Result<Option<Vec<u8>>> {
        match &self.selfie {
            Some(p) => Ok(Some(read_image(p, "selfie")?)),
            None => Ok(None),
        }
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.email.is_none() && args.phone.is_none() {
        bail!("give at least --email or --phone with --country-code");
    }
    // Read every file first: a typo in a path must not leave a half-done registration behind.
    for (path, what) in [
        (&args.document_front, "document front"),
        (&args.document_back, "document back"),
        (&args.selfie, "selfie"),
    ] {
        if let Some(p) = path {
            let bytes = read_image(p, what)?;
            smart_enroll_core::media::decode_upright(&bytes)
                .with_context(|| format!("the {what} image {} is not usable", p.display()))?;
        }
    }
    let client = client_for(&args.api_url, args.allow_insecure_http)?;
    let flow = client
        .fetch_flow_config(&args.project, Some(&args.flow))
        .await
        .context("fetching the flow configuration")?;
    let signup = SignUpData {
        email: args.email.clone(),
        phone: args.phone.clone(),
        country_code: args.country_code.clone(),
        full_name: args.name.clone(),
        language: Some("en".into()),
    };
    let session = EnrollmentSession::new(client.clone(), flow, signup)?;
    let mut progress = Progress::new(if args.json { Mode::Quiet } else { Mode::Plain });
    let mut inputs = CliInputs {
        lines: LineSource {
            tty: std::io::stdin().is_terminal(),
        },
        channel: match args.channel {
            ChannelArg::Sms => PhoneChannel::Sms,
            ChannelArg::Whatsapp => PhoneChannel::Whatsapp,
        },
        front: args.document_front.clone(),
        back: args.document_back.clone(),
        document_type: args.document_type,
        selfie: args.selfie.clone(),
    };
    let (result, states) = runner::drive(&session, &mut inputs, &mut progress).await?;
    let stats = client.stats();
    if args.json {
        let mut out = runner::result_json(&result);
        out["states"] = json!(states);
        out["steps"] = serde_json::to_value(progress.records())?;
        out["requests"] = json!(stats.requests);
        out["bytesUploaded"] = json!(stats.bytes_uploaded);
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!();
        println!("Outcome:      {}", runner::outcome_str(result.outcome));
        println!("Registration: {}", result.registration_id);
        println!("Token:        {}", result.token.expose());
        if let Some(url) = &result.redirect_url {
            println!("Redirect URL: {url}");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for yes in [
            "http://127.0.0.1:8080",
            "http://127.5.6.7/",
            "http://localhost:3000/api",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(is_loopback_url(yes), "{yes}");
        }
        for no in [
            "https://127.0.0.1",
            "http://10.0.2.2:8080",
            "http://example.com",
            "http://127.0.0.1.example.com",
            "http://localhost.evil.com:80",
            "http://[::2]:80",
        ] {
            assert!(!is_loopback_url(no), "{no}");
        }
    }

    #[test]
    fn plain_http_needs_the_flag_off_loopback() {
        assert!(client_for("http://127.0.0.1:9", false).is_ok());
        assert!(client_for("https://api.example.com", false).is_ok());
        let err = client_for("http://10.0.2.2:8080", false).unwrap_err();
        assert!(
            format!("{err:#}").contains("--allow-insecure-http"),
            "{err:#}"
        );
        assert!(client_for("http://10.0.2.2:8080", true).is_ok());
    }
}
