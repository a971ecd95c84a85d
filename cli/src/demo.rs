//! `smart-enroll demo`: a whole enrollment against an in-process sandbox.
//!
//! Starts the sandbox on an ephemeral loopback port with a temporary data directory, creates a
//! project and a Full-KYC (or Basic) flow with the admin calls, then enrolls "Anna Maria
//! Eriksson" through the core's session API: email and phone codes read from the sandbox's
//! dev outbox, a specimen ICAO 9303 passport page drawn at run time (checked by the on-device
//! document check, its MRZ read back and handed to the session for the review's
//! cross-check), and the bundled
//! public-domain selfie, checked by the on-device prefilter before upload. Prints the outcome,
//! the final token (a throw-away sandbox token: showing it is the point of the demo) and the
//! redirect URL.

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use smart_enroll_core::prefilter::Prefilter;
use smart_enroll_core::{
    ClientConfig, ClientToken, DocumentCategory, DocumentSide, EnrollmentSession, FlowPreset,
    InsecureHttp, NewFlow, NewProject, Outcome, PhoneChannel, SignUpData, SmartEnrollClient,
};
use smart_enroll_sandbox::{Sandbox, SandboxConfig};

use crate::outbox::Outbox;
use crate::progress::{Mode, Progress};
use crate::runner::{self, Inputs};
use crate::specimen::{self, SAMPLE_SELFIE, SpecimenData};

/// Which flow preset the demo creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FlowArg {
    /// Sign-up form mandatory; document and selfie optional (the demo still does them).
    Basic,
    /// Sign-up form, document and selfie all mandatory.
    Full,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Flow preset to create and run.
    #[arg(long, value_enum, default_value_t = FlowArg::Full)]
    pub flow: FlowArg,
    /// Print one JSON object (no progress output).
    #[arg(long)]
    pub json: bool,
    /// Also write the specimen passport page and the sample selfie to this directory (as
    /// `specimen-passport.jpg` and `sample-selfie.jpg`, e.g. to try `smart-enroll enroll`).
    #[arg(long, value_name = "DIR")]
    pub save_images: Option<std::path::PathBuf>,
}

/// The demo enrollee (the ICAO 9303 example holder, on a specimen document).
const DEMO_EMAIL: &str = "anna.eriksson@example.com";
const DEMO_PHONE: &str = "3001234567";
const DEMO_COUNTRY_CODE: &str = "+57";
const DEMO_NAME: &str = "Anna Maria Eriksson";

pub async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut progress = Progress::new(Mode::detect(args.json));
    // ONNX Runtime for the whole run (the prefilter and the document face crop).
    let _ = tokio::task::spawn_blocking(crate::onnx::preload).await;
    let data_dir = tempfile::Builder::new()
        .prefix("smart-enroll-demo-")
        .tempdir()
        .context("creating a temporary data directory")?;

    // 1. The sandbox, in process.
    let step = progress.start("Start the sandbox");
    let client_token = random_token();
    let mut config = SandboxConfig::new(data_dir.path());
    config.dev = true;
    config.client_token = Some(client_token.clone());
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            progress.fail(step, e.to_string());
            return Err(e).context("starting the sandbox");
        }
    };
    let base_url = sandbox.base_url();
    progress.done(step, format!("listening on {base_url}"));

    // Ctrl-C stops the enrollment, then the sandbox, and the temporary directory is removed.
    let outcome = tokio::select! {
        r = enroll(&args, &mut progress, &base_url, client_token) => r,
        _ = tokio::signal::ctrl_c() => Err(anyhow::anyhow!("interrupted")),
    };
    sandbox.shutdown().await;
    let report = outcome?;

    let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    if args.json {
        let mut out = report.json;
        out["elapsedMs"] = json!(elapsed_ms);
        out["steps"] = serde_json::to_value(progress.records())?;
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        progress.note("");
        progress.note(format!(
            "Outcome:      {}",
            runner::outcome_str(report.outcome)
        ));
        progress.note(format!("Token:        {}", report.token));
        progress.note(format!(
            "Redirect URL: {}",
            report
                .redirect_url
                .as_deref()
                .unwrap_or("(the flow has none)")
        ));
        progress.note(format!(
            "Requests:     {} HTTP requests, {} KB uploaded, {elapsed_ms} ms in all",
            report.requests,
            report.bytes_uploaded / 1024
        ));
        progress.note(
            "(sandbox token from a throw-away in-process sandbox; its data directory is deleted)",
        );
    }
    match report.outcome {
        Outcome::Completed | Outcome::CompletedWithoutKyc => Ok(()),
        other => bail!(
            "the demo enrollment ended as {}",
            runner::outcome_str(other)
        ),
    }
}

struct Report {
    outcome: Outcome,
    token: String,
    redirect_url: Option<String>,
    requests: u64,
    bytes_uploaded: u64,
    json: serde_json::Value,
}

fn random_token() -> String {
    let bytes: [u8; 24] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("demo-{hex}")
}

async fn enroll(
    args: &Args,
    progress: &mut Progress,
    base_url: &str,
    client_token: String,
) -> anyhow::Result<Report> {
    let mut client_config = ClientConfig::new(base_url);
    client_config.allow_insecure_http = InsecureHttp::Loopback;
    client_config.user_agent = Some("smart-enroll-cli-demo".into());
    let client = SmartEnrollClient::new(client_config)?;
    let admin = SmartEnrollClient::new({
        let mut c = ClientConfig::new(base_url);
        c.allow_insecure_http = InsecureHttp::Loopback;
        c
    })?;
    let token = ClientToken::new(client_token);

    // 2. Project and flow (admin calls with the client token; a separate client so the
    //    enrollment's request counters stay the enrollee's own).
    let step = progress.start("Create a project");
    let project = admin
        .create_project(
            &token,
            &NewProject {
                name: "Smart Enroll demo".into(),
                allowed_countries: vec!["Colombia".into()],
                contact_email: "owner@example.com".into(),
                privacy_url: "https://example.com/privacy".into(),
                terms_and_conditions_url: "https://example.com/terms".into(),
            },
        )
        .await;
    let project = match project {
        Ok(p) => {
            progress.done(step, format!("project {}", p.id));
            p
        }
        Err(e) => {
            progress.fail(step, e.to_string());
            return Err(e.into());
        }
    };
    let preset = match args.flow {
        FlowArg::Basic => FlowPreset::Basic,
        FlowArg::Full => FlowPreset::FullKyc,
    };
    let step = progress.start(format!("Create the {preset:?} flow"));
    let flow = match admin
        .create_flow(&token, &NewFlow::preset(project.id.clone(), preset))
        .await
    {
        Ok(f) => {
            progress.done(step, format!("flow {}", f.flow_id));
            f
        }
        Err(e) => {
            progress.fail(step, e.to_string());
            return Err(e.into());
        }
    };

    // 3. What an app does: read the public flow configuration, then enroll.
    let flow = runner::fetch_flow_step(
        &client,
        progress,
        "Fetch the public flow configuration",
        &project.id,
        &flow.flow_id,
    )
    .await?;

    let step = progress.start("Draw the specimen passport page (ICAO 9303 TD3)");
    let specimen = match specimen::render_jpeg(&SpecimenData::demo(), SAMPLE_SELFIE) {
        Ok(jpeg) => {
            progress.done(step, format!("{} KB JPEG", jpeg.len() / 1024));
            jpeg
        }
        Err(e) => {
            progress.fail(step, e.to_string());
            return Err(e.into());
        }
    };
    if let Some(dir) = &args.save_images {
        let step = progress.start(format!("Save the images to {}", dir.display()));
        let saved = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(dir.join("specimen-passport.jpg"), &specimen))
            .and_then(|()| std::fs::write(dir.join("sample-selfie.jpg"), SAMPLE_SELFIE));
        match saved {
            Ok(()) => progress.done(step, "specimen-passport.jpg, sample-selfie.jpg"),
            Err(e) => {
                progress.fail(step, e.to_string());
                return Err(e).context("saving the demo images");
            }
        }
    }

    // The document check, as `enroll` runs it: outline and guidance, and the specimen's MRZ
    // read back through the SDK's glyph reader (`find_mrz` parses it, check digits included).
    let (document_check, document_identity) = crate::enroll::check_document_side(
        &specimen,
        "specimen passport page",
        "the specimen passport page",
        false,
        progress,
    )
    .await?;
    if let Some(m) = document_check.get("mrz").filter(|m| !m.is_null()) {
        let f = &m["fields"];
        progress.note(format!(
            "       MRZ read back: {} {}, {} {}, number {}, born {}",
            m["format"].as_str().unwrap_or("-"),
            if m["valid"] == json!(true) {
                "valid"
            } else {
                "INVALID"
            },
            f["surname"].as_str().unwrap_or("-"),
            f["given_names"].as_str().unwrap_or("-"),
            f["document_number"].as_str().unwrap_or("-"),
            f["date_of_birth"].as_str().unwrap_or("-"),
        ));
    }

    let signup = SignUpData {
        email: Some(DEMO_EMAIL.into()),
        phone: Some(DEMO_PHONE.into()),
        country_code: Some(DEMO_COUNTRY_CODE.into()),
        full_name: Some(DEMO_NAME.into()),
        language: Some("en".into()),
        ..SignUpData::default()
    };
    let session = EnrollmentSession::new(client.clone(), flow.clone(), signup)?;
    if let Some(id) = document_identity {
        session.set_document_data(id);
    }
    let mut inputs = DemoInputs {
        outbox: Outbox::new(base_url)?,
        specimen,
        prefilter: None,
    };
    let runner::Driven {
        result,
        states,
        review,
    } = runner::drive(&session, &mut inputs, progress).await?;
    let stats = client.stats();
    let mut json = runner::result_json(&result);
    json["review"] = review.as_ref().map_or(json!(null), runner::review_json);
    json["flow"] = json!(match args.flow {
        FlowArg::Basic => "basic",
        FlowArg::Full => "full",
    });
    json["sandboxUrl"] = json!(base_url);
    json["projectId"] = json!(project.id);
    json["flowId"] = json!(flow.flow_id);
    json["states"] = json!(states);
    json["requests"] = json!(stats.requests);
    json["retries"] = json!(stats.retries);
    json["bytesUploaded"] = json!(stats.bytes_uploaded);
    json["prefilter"] = inputs.prefilter.unwrap_or(serde_json::Value::Null);
    json["document_check"] = document_check;
    if !args.json
        && let Some(r) = &review
    {
        for line in crate::document::disagreement_lines(r) {
            progress.note(line);
        }
    }
    Ok(Report {
        outcome: result.outcome,
        token: result.token.expose().to_owned(),
        redirect_url: result.redirect_url.clone(),
        requests: stats.requests,
        bytes_uploaded: stats.bytes_uploaded,
        json,
    })
}

struct DemoInputs {
    outbox: Outbox,
    specimen: Vec<u8>,
    prefilter: Option<serde_json::Value>,
}

impl Inputs for DemoInputs {
    async fn email_code(&mut self, _masked_email: &str) -> anyhow::Result<String> {
        self.outbox
            .latest_code(&[DEMO_EMAIL.to_owned()], &["email", "mailgun"])
            .await
    }

    async fn phone_code(
        &mut self,
        _masked_phone: &str,
        channel: PhoneChannel,
    ) -> anyhow::Result<String> {
        let to = [
            format!("{DEMO_COUNTRY_CODE}{DEMO_PHONE}"),
            DEMO_PHONE.to_owned(),
        ];
        self.outbox
            .latest_code(&to, &[runner::channel_name(channel)])
            .await
    }

    fn phone_channel(&mut self, channels: &[PhoneChannel]) -> PhoneChannel {
        if channels.contains(&PhoneChannel::Sms) {
            PhoneChannel::Sms
        } else {
            channels.first().copied().unwrap_or(PhoneChannel::Sms)
        }
    }

    async fn document(
        &mut self,
        side: DocumentSide,
        accepted: &[DocumentCategory],
    ) -> anyhow::Result<Option<(Vec<u8>, DocumentCategory)>> {
        if side == DocumentSide::Back {
            bail!(
                "the server asked for a back side, but the demo's document is a passport (one side)"
            );
        }
        if !accepted.is_empty() && !accepted.contains(&DocumentCategory::Passport) {
            bail!("the flow does not accept passports, the only document the demo has");
        }
        Ok(Some((self.specimen.clone(), DocumentCategory::Passport)))
    }

    async fn selfie(&mut self, progress: &mut Progress) -> anyhow::Result<Option<Vec<u8>>> {
        let step = progress.start("Check the selfie on device (liveness prefilter)");
        let analysis = tokio::task::spawn_blocking(|| {
            let prefilter = Prefilter::new(crate::onnx::prefilter_config())?;
            let detector_error = prefilter.detector_error();
            let analysis = prefilter.analyze_image(SAMPLE_SELFIE)?;
            Ok::<_, smart_enroll_core::prefilter::PrefilterError>((analysis, detector_error))
        })
        .await
        .context("the prefilter task failed")?;
        let (analysis, detector_error) = match analysis {
            Ok(a) => a,
            Err(e) => {
                progress.fail(step, e.to_string());
                return Err(e).context("prefiltering the sample selfie");
            }
        };
        let best = analysis
            .faces
            .iter()
            .map(|f| f.score)
            .fold(None, |acc: Option<f32>, s| {
                Some(acc.map_or(s, |a| a.max(s)))
            });
        self.prefilter = Some(json!({
            "detector": detector_error.is_none(),
            "faces": analysis.faces.len(),
            "bestFaceScore": best,
            "guidance": analysis.guidance.key(),
        }));
        match (detector_error, best) {
            (Some(err), _) => progress.warn(
                step,
                format!("face detector unavailable ({err}); quality checks only (install it with `pip install onnxruntime==1.23.2` or scripts/test.sh)"),
            ),
            (None, Some(score)) => progress.done(
                step,
                format!(
                    "{} face(s), best score {score:.2}, guidance {}",
                    analysis.faces.len(),
                    analysis.guidance.key()
                ),
            ),
            (None, None) => {
                progress.fail(step, "no face found in the sample selfie");
                bail!("the prefilter found no face in the bundled sample selfie");
            }
        }
        Ok(Some(SAMPLE_SELFIE.to_vec()))
    }
}
