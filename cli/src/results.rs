//! `smart-enroll results`: what the integrator's backend checks. Given a registration id, it
//! prints the registration as the server holds it (status, OCR fields, scores). Given the final
//! token an app handed over, it verifies it ([`ProjectClient::verify_final_token`]: the server
//! checks the signature and the expiry, the registration must be `COMPLETED`, of the project and
//! flow when `--project` / `--flow` are given) and exits non-zero when it does not hold.
//!
//! The client token comes from `SMART_ENROLL_CLIENT_TOKEN`, as for `setup`. The final token is
//! never printed.

use anyhow::bail;
use serde_json::{Value, json};
use smart_enroll_core::{FinalTokenVerdict, ProjectClient, RegistrationDetails};

use crate::enroll::{TlsArgs, client_for};
use crate::runner;
use crate::setup::client_token;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// API base URL without `/v2`, e.g. `https://api.verifik.co` or `http://127.0.0.1:8080`.
    #[arg(long)]
    pub api_url: String,
    /// Require the registration to belong to this project (default: any project the client
    /// token can read).
    #[arg(long)]
    pub project: Option<String>,
    /// Require the registration to belong to this flow (with --project).
    #[arg(long, requires = "project")]
    pub flow: Option<String>,
    /// Allow plain HTTP to a host that is not loopback (never for production).
    #[arg(long)]
    pub allow_insecure_http: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// A registration id, or the final token the app received after `sync end`.
    #[arg(value_name = "REGISTRATION_ID | FINAL_TOKEN")]
    pub target: String,
}

/// What the argument is: a JWT has dots, an id never does.
fn is_token(target: &str) -> bool {
    target.contains('.')
}

fn details_json(d: Option<&RegistrationDetails>) -> Value {
    let Some(d) = d else {
        return json!({
            "projectId": null, "flowId": null, "createdAt": null, "updatedAt": null,
            "document": null,
            "scores": {"liveness": null, "compare": null, "namesMatch": null, "criminalCheck": null},
        });
    };
    json!({
        "projectId": d.project_id,
        "flowId": d.flow_id,
        "createdAt": d.created_at,
        "updatedAt": d.updated_at,
        "document": d.document,
        "scores": {
            "liveness": d.liveness,
            "compare": d.compare,
            "namesMatch": d.names_match,
            "criminalCheck": d.criminal_check,
        },
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        b.extend(e);
    }
    base
}

fn details_lines(d: &RegistrationDetails) -> Vec<String> {
    let mut lines = vec![
        format!("Registration:   {}", d.id),
        format!("Status:         {}", d.status),
        format!("Project:        {}", d.project_id.as_deref().unwrap_or("-")),
        format!("Flow:           {}", d.flow_id.as_deref().unwrap_or("-")),
        format!("Created:        {}", d.created_at.as_deref().unwrap_or("-")),
        format!("Updated:        {}", d.updated_at.as_deref().unwrap_or("-")),
    ];
    lines.extend(runner::check_lines(
        d.document.as_ref(),
        d.names_match,
        d.liveness,
        d.compare,
        d.criminal_check.as_ref(),
    ));
    lines
}

fn reasons_text(v: &FinalTokenVerdict) -> String {
    v.reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let token = client_token()?;
    let target = args.target.trim();
    if target.is_empty() {
        bail!("give a registration id or a final token");
    }
    let client = client_for(&args.api_url, args.allow_insecure_http, &args.tls)?;
    let project = match &args.project {
        Some(p) => ProjectClient::new(client, token, p.clone(), args.flow.clone()),
        None => ProjectClient::for_token_owner(client, token),
    };
    let scope = json!({"project": project.project_id(), "flow": project.flow_id()});

    if !is_token(target) {
        let d = project
            .registration(target)
            .await
            .map_err(|e| anyhow::Error::new(e).context("retrieving the registration"))?;
        if args.json {
            let out = merge(
                json!({
                    "input": "registrationId",
                    "registrationId": d.id,
                    "status": d.status,
                    // Only a checked final token can be verified.
                    "verified": false,
                    "reasons": [],
                    "checked": scope,
                }),
                details_json(Some(&d)),
            );
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            for line in details_lines(&d) {
                println!("{line}");
            }
            println!("Verified:       no final token given (pass the token to verify it)");
        }
        return Ok(());
    }

    let v = project
        .verify_final_token(target)
        .await
        .map_err(|e| anyhow::Error::new(e).context("checking the final token"))?;
    if args.json {
        let reasons: Vec<Value> = v
            .reasons
            .iter()
            .map(|r| {
                merge(
                    serde_json::to_value(r).unwrap_or_else(|_| json!({"code": r.code()})),
                    json!({"detail": r.to_string()}),
                )
            })
            .collect();
        let out = merge(
            json!({
                "input": "finalToken",
                "registrationId": v.registration_id,
                "status": v.status,
                "verified": v.verified,
                "reasons": reasons,
                "checked": scope,
            }),
            details_json(v.registration.as_ref()),
        );
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        if let Some(d) = &v.registration {
            for line in details_lines(d) {
                println!("{line}");
            }
        }
        if v.verified {
            let within = match (project.project_id(), project.flow_id()) {
                (Some(p), Some(f)) => format!("project {p}, flow {f}"),
                (Some(p), None) => format!("project {p}"),
                _ => "a project of this client token".to_owned(),
            };
            println!(
                "Verified:       yes (the server accepted the final token; COMPLETED; {within})"
            );
        }
    }
    if !v.verified {
        bail!(
            "the final token does not verify{}: {}",
            v.registration_id
                .as_deref()
                .map(|id| format!(" for registration {id}"))
                .unwrap_or_default(),
            reasons_text(&v)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_dots_ids_do_not() {
        assert!(is_token("eyJ.eyJ.sig"));
        assert!(is_token("a.b"));
        assert!(!is_token("674de8df21c72be3cc42b8a7"));
    }
}
