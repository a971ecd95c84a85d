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

pub async fn run(args: Args) -> anyhow::Result<()> {
    let token = match std::env::var(TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => ClientToken::new(t.trim().to_owned()),
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "{TOKEN_ENV} is not set: export the project owner's client token (the sandbox prints \
             one at start, or pass --client-token to `smart-enroll serve`)"
        ),
        Err(std::env::VarError::NotUnicode(_)) => bail!("{TOKEN_ENV} is not valid UTF-8"),
    };
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
    let flow = client
        .create_flow(&token, &new_flow)
        .await
        .context("creating the flow")?;
    if args.json {
        println!(
            "{}",
            json!({"projectId": project.id, "flowId": flow.flow_id, "preset": format!("{preset:?}")})
        );
    } else {
        println!("project id: {}", project.id);
        println!("flow id:    {}", flow.flow_id);
        println!(
            "next:       smart-enroll enroll --api-url {} --project {} --flow {} \\\n              \
             --email you@example.com --phone 3001234567 --country-code +57 \\\n              \
             --document-front passport.jpg --selfie selfie.jpg",
            args.api_url, project.id, flow.flow_id
        );
    }
    Ok(())
}
