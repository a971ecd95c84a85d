//! `smart-enroll setup`: creates a project and an onboarding flow on a Smart Enroll API.
//!
//! The client (project owner) token comes from `SMART_ENROLL_CLIENT_TOKEN`, never from a flag,
//! so it does not end up in shell history or process listings.

use anyhow::{Context, bail};
use serde_json::json;
use smart_enroll_core::{ClientToken, FlowPreset, NewFlow, NewProject};

use crate::enroll::{TlsArgs, client_for};

/// Flow presets (contract §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PresetArg {
    /// Sign-up form mandatory; document and selfie optional.
    Basic,
    /// Sign-up form, document and selfie all mandatory.
    Full,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// API base URL without `/v2`, e.g. `https://api.verifik.co` or `http://127.0.0.1:8080`.
    #[arg(long)]
    pub api_url: String,
    /// Flow preset.
    #[arg(long, value_enum, default_value_t = PresetArg::Full)]
    pub preset: PresetArg,
    /// Project name.
    #[arg(long, default_value = "Smart Enroll project")]
    pub name: String,
    /// Where the flow sends the enrollee at the end (`?token=` is appended).
    #[arg(long, default_value = "https://example.com/welcome")]
    pub redirect_url: String,
    /// Allowed country name (repeatable).
    #[arg(long = "country", default_value = "Colombia")]
    pub countries: Vec<String>,
    /// Project contact email (the owner's, not an enrollee's).
    #[arg(long, default_value = "owner@example.com")]
    pub contact_email: String,
    /// Where the server POSTs the flow's webhook events (the flow's `webhookUrl`): an https://
    /// URL, or http:// to a loopback host.
    #[arg(long, value_name = "URL")]
    pub webhook_url: Option<String>,
    /// Allow plain HTTP to a host that is not loopback (never for production).
    #[arg(long)]
    pub allow_insecure_http: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// The environment variable holding the client token.
pub const TOKEN_ENV: &str = "SMART_ENROLL_CLIENT_TOKEN";

/// The client token from [`TOKEN_ENV`] (shared by `setup` and `results`).
pub fn client_token() -> anyhow::Result<ClientToken> {
    match std::env::var(TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => Ok(ClientToken::new(t.trim().to_owned())),
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "{TOKEN_ENV} is not set: export the project owner's client token (the sandbox prints \
             one at start, or pass --client-token to `smart-enroll serve`)"
        ),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{TOKEN_ENV} is not valid UTF-8"),
    }
}

/// Checks a `--webhook-url`: an absolute `https://` URL with a host, or `http://` to a loopback
/// host (a local receiver, e.g. with the sandbox); no credentials, no fragment, at most 2048
/// bytes. Webhook bodies carry registration data, so they never travel in clear over a network.
pub fn check_webhook_url(raw: &str) -> anyhow::Result<String> {
    let raw = raw.trim();
    if raw.is_empty()
        || raw.len() > 2048
        || raw.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        bail!("invalid --webhook-url: give an absolute https:// URL of at most 2048 characters");
    }
    let url = url::Url::parse(raw).map_err(|e| anyhow::anyhow!("invalid --webhook-url: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => bail!("invalid --webhook-url: it has no host"),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => bail!(
            "invalid --webhook-url: plain http:// is allowed only to a loopback host; use https://"
        ),
        other => bail!("invalid --webhook-url: the scheme must be https, not {other}"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        bail!("invalid --webhook-url: credentials in the URL are not allowed");
    }
    if url.fragment().is_some() {
        bail!("invalid --webhook-url: a fragment (#...) is not allowed");
    }
    Ok(url.to_string())
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let webhook_url = args
        .webhook_url
        .as_deref()
        .map(check_webhook_url)
        .transpose()?;
    let token = client_token()?;
    let client = client_for(&args.api_url, args.allow_insecure_http, &args.tls)?;
    let project = client
        .create_project(
            &token,
            &NewProject {
                name: args.name.clone(),
                allowed_countries: args.countries.clone(),
                contact_email: args.contact_email.clone(),
                privacy_url: "https://example.com/privacy".into(),
                terms_and_conditions_url: "https://example.com/terms".into(),
            },
        )
        .await
        .context("creating the project")?;
    let preset = match args.preset {
        PresetArg::Basic => FlowPreset::Basic,
        PresetArg::Full => FlowPreset::FullKyc,
    };
    let mut new_flow = NewFlow::preset(project.id.clone(), preset);
    new_flow.redirect_url = Some(args.redirect_url.clone());
    new_flow.webhook_url = webhook_url.clone();
    let flow = client
        .create_flow(&token, &new_flow)
        .await
        .context("creating the flow")?;
    if args.json {
        println!(
            "{}",
            json!({
                "projectId": project.id,
                "flowId": flow.flow_id,
                "preset": format!("{preset:?}"),
                "webhookUrl": webhook_url,
            })
        );
    } else {
        println!("project id: {}", project.id);
        println!("flow id:    {}", flow.flow_id);
        if let Some(url) = &webhook_url {
            println!("webhook:    {url}");
        }
        println!(
            "next:       smart-enroll enroll --api-url {} --project {} --flow {} \\\n              \
             --email you@example.com --phone 3001234567 --country-code +57 \\\n              \
             --document-front passport.jpg --selfie selfie.jpg",
            args.api_url, project.id, flow.flow_id
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_urls() {
        for ok in [
            "https://hooks.example.com/smart-enroll",
            " https://hooks.example.com:8443/a?b=c ",
            "http://127.0.0.1:9999/hook",
            "http://localhost/hook",
            "http://[::1]:8080/",
        ] {
            assert!(check_webhook_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "hooks.example.com/x",
            "/relative",
            "http://hooks.example.com/x",
            "ftp://hooks.example.com/x",
            "javascript:alert(1)",
            "https://user:pw@hooks.example.com/",
            "https://hooks.example.com/#frag",
            "https://hooks.example.com/a b",
            "https://",
        ] {
            let e = check_webhook_url(bad).unwrap_err();
            assert!(format!("{e:#}").contains("--webhook-url"), "{bad}: {e:#}");
        }
        assert!(check_webhook_url(&format!("https://h.example.com/{}", "a".repeat(2100))).is_err());
    }
}
