//! `smart-enroll enroll`: runs one enrollment against any Smart Enroll API.
//!
//! Codes are prompted for on a terminal, or read one per line from stdin otherwise (scripts,
//! tests). Every state is printed; `--json` prints a single JSON object at the end instead.
//!
//! Pre-flight, before the registration is created: every given file is read and decoded, the
//! public flow configuration is fetched and planned with the sign-up data, every mandatory step
//! must have its input, the selfie goes through the liveness prefilter (unless
//! `--no-prefilter`) and the document through the document check (unless
//! `--no-document-check`: outline, guidance, MRZ, PDF417; a found document that is blurry,
//! glared, too dark or too bright is refused; the MRZ or barcode read is handed to the session
//! for the review's cross-check). Only the document's back side cannot be checked up front: the server says
//! whether it needs one (`requiresBackSide`) in its answer to the front upload.

use std::io::{BufRead, IsTerminal, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde_json::json;
use smart_enroll_core::document::{DocumentGuidance, DocumentIdentity};
use smart_enroll_core::{
    ClientConfig, DocumentCategory, DocumentSide, EnrollError, EnrollmentSession, FlowConfig,
    InsecureHttp, PhoneChannel, Plan, PlanStep, SignUpData, SmartEnrollClient, StepKind, media,
};

use crate::document;
use crate::prefilter;
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
    /// Upload the selfie without checking it with the on-device liveness prefilter first.
    #[arg(long)]
    pub no_prefilter: bool,
    /// Upload the document without the on-device document check first (outline, guidance,
    /// MRZ, PDF417).
    #[arg(long)]
    pub no_document_check: bool,
    /// Phone channel when the flow offers both.
    #[arg(long, value_enum, default_value_t = ChannelArg::Sms)]
    pub channel: ChannelArg,
    /// Allow plain HTTP to a host that is not loopback (never for production).
    #[arg(long)]
    pub allow_insecure_http: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
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

/// TLS trust flags shared by `setup` and `enroll`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TlsArgs {
    /// Pin the API's certificate key: `sha256/<base64 of the SHA-256 of its
    /// SubjectPublicKeyInfo>`, OkHttp's form (repeatable; one key on the verified chain must
    /// match). HTTPS only.
    #[arg(long = "pin", value_name = "sha256/BASE64")]
    pub pins: Vec<String>,
    /// Also trust the CA certificate(s) in this PEM file, e.g. a staging server's private CA or
    /// a TLS-terminating proxy's (repeatable).
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
}

/// A client for the CLI: HTTPS anywhere, plain HTTP to loopback, and plain HTTP to other hosts
/// only with `--allow-insecure-http`; `--pin` and `--ca-cert` as given.
pub fn client_for(
    api_url: &str,
    allow_insecure_http: bool,
    tls: &TlsArgs,
) -> anyhow::Result<SmartEnrollClient> {
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
    config.pinned_public_keys = tls.pins.clone();
    for path in &tls.ca_certs {
        let pem = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the --ca-cert file {}", path.display()))?;
        config.extra_root_certificates_pem.push(pem);
    }
    SmartEnrollClient::new(config).map_err(|e| {
        let what = match &e {
            EnrollError::Config { reason } if reason.contains("pinned_public_keys[") => {
                "invalid --pin".to_owned()
            }
            EnrollError::Config { reason } => match tls.ca_certs.iter().enumerate().find(|(i, _)| {
                reason.contains(&format!("extra_root_certificates_pem[{i}]"))
            }) {
                Some((_, path)) => format!("invalid --ca-cert file {}", path.display()),
                None if api_url.trim().starts_with("http://") && !is_loopback_url(api_url) => {
                    "plain HTTP is allowed only to loopback addresses; use HTTPS or pass --allow-insecure-http"
                        .to_owned()
                }
                None => "invalid --api-url".to_owned(),
            },
            _ => "invalid --api-url".to_owned(),
        };
        anyhow::Error::new(e).context(what)
    })
}

/// Reads an image file and checks that the core can decode it (JPEG, PNG or WebP, size limits,
/// EXIF orientation): the pre-flight check of every file flag. The file's size (≤ 50 MB) and
/// the dimensions in its header (≤ 40 MP) are checked before it is read or decoded. Returns the
/// bytes to upload.
fn read_image(path: &Path, flag: &str) -> anyhow::Result<(Vec<u8>, (u32, u32))> {
    let (bytes, _) = crate::image_file::read_checked(path, None).map_err(|e| {
        let what = match e {
            crate::image_file::ImageFileError::Io(_) => {
                format!("cannot read the {flag} file {}", path.display())
            }
            _ => format!("the {flag} file {} is not a usable image", path.display()),
        };
        anyhow::Error::new(e).context(what)
    })?;
    let image = media::decode_upright(&bytes)
        .with_context(|| format!("the {flag} file {} is not a usable image", path.display()))?;
    Ok((bytes, (image.width(), image.height())))
}

/// The image files, read and decoded before anything is sent.
#[derive(Default)]
struct Images {
    front: Option<Vec<u8>>,
    back: Option<Vec<u8>>,
    selfie: Option<Vec<u8>>,
}

/// Reads and decodes every given file (no network): a typo in a path or a broken image must
/// not leave a half-done registration behind.
async fn read_images(args: &Args, progress: &mut Progress) -> anyhow::Result<Images> {
    let files: Vec<(&'static str, PathBuf)> = [
        ("--document-front", &args.document_front),
        ("--document-back", &args.document_back),
        ("--selfie", &args.selfie),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.clone().map(|p| (flag, p)))
    .collect();
    if files.is_empty() {
        return Ok(Images::default());
    }
    let step = progress.start("Read and decode the images");
    let read = tokio::task::spawn_blocking(move || {
        files
            .into_iter()
            .map(|(flag, path)| read_image(&path, flag).map(|(bytes, dims)| (flag, bytes, dims)))
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await
    .context("the image reader failed")?;
    let read = match read {
        Ok(r) => r,
        Err(e) => {
            progress.fail(step, format!("{e:#}"));
            return Err(e);
        }
    };
    let mut images = Images::default();
    let mut detail = Vec::new();
    for (flag, bytes, (w, h)) in read {
        detail.push(format!("{flag} {w}x{h}"));
        let slot = match flag {
            "--document-front" => &mut images.front,
            "--document-back" => &mut images.back,
            _ => &mut images.selfie,
        };
        *slot = Some(bytes);
    }
    progress.done(step, detail.join(", "));
    Ok(images)
}

/// The command-line flag of a sign-up field named in an [`EnrollError::InvalidInput`].
fn flag_of(field: &str) -> Option<&'static str> {
    match field {
        "email" => Some("--email"),
        "phone" => Some("--phone"),
        "countryCode" => Some("--country-code"),
        _ => None,
    }
}

/// The document kind the files stand for.
fn document_category(args: &Args) -> DocumentCategory {
    match args.document_type {
        Some(DocumentArg::Passport) => DocumentCategory::Passport,
        Some(DocumentArg::Id) => DocumentCategory::GovernmentId,
        Some(DocumentArg::License) => DocumentCategory::DriverLicense,
        None if args.document_back.is_some() => DocumentCategory::GovernmentId,
        None => DocumentCategory::Passport,
    }
}

/// Plans the enrollment and checks that every mandatory step has its input. Returns the plan
/// and what the inputs step reports (what will be used, and given flags the flow does not use).
fn check_plan(
    args: &Args,
    flow: &FlowConfig,
    signup: &SignUpData,
) -> anyhow::Result<(Plan, String)> {
    let plan = smart_enroll_core::plan(flow, signup).map_err(|e| match &e {
        EnrollError::InvalidInput { field, reason } => match flag_of(field) {
            Some(flag) => anyhow::anyhow!("invalid {flag}: {reason}"),
            None => anyhow::Error::new(e),
        },
        _ => anyhow::Error::new(e),
    })?;
    let mut used = Vec::new();
    let mut unused = Vec::new();
    for step in &plan.steps {
        match step {
            PlanStep::EmailOtp { .. } => used.push("email".to_owned()),
            PlanStep::PhoneOtp { .. } => used.push("phone".to_owned()),
            PlanStep::Document {
                optional,
                categories,
            } => match &args.document_front {
                None if *optional => used.push("no document (optional, skipped)".to_owned()),
                None => bail!(
                    "this flow requires a document: pass --document-front (and --document-back for ID cards and licences)"
                ),
                Some(_) => {
                    let category = document_category(args);
                    if !categories.contains(&category) {
                        bail!(
                            "the flow does not accept {category:?} documents (it accepts {categories:?}): pass --document-type"
                        );
                    }
                    used.push(format!("document ({category:?})"));
                }
            },
            PlanStep::Liveness { optional } => match &args.selfie {
                None if *optional => used.push("no selfie (optional, skipped)".to_owned()),
                None => bail!("this flow requires a selfie: pass --selfie"),
                Some(_) => used.push("selfie".to_owned()),
            },
            _ => {}
        }
    }
    if !plan.has(StepKind::Document) {
        if args.document_front.is_some() {
            unused.push("--document-front");
        }
        if args.document_back.is_some() {
            unused.push("--document-back");
        }
    }
    if !plan.has(StepKind::Liveness) && args.selfie.is_some() {
        unused.push("--selfie");
    }
    let mut detail = used.join(", ");
    if !unused.is_empty() {
        detail.push_str(&format!("; the flow does not use {}", unused.join(", ")));
    }
    Ok((plan, detail))
}

/// Runs the liveness prefilter on the selfie before anything is sent: a photo it would refuse
/// (no face, several faces, too small, too dark, blurry, ...) stops the run. Without ONNX
/// Runtime only the quality checks run, with one warning (as in `demo`).
async fn prefilter_selfie(
    selfie: &[u8],
    path: &Path,
    json: bool,
    progress: &mut Progress,
) -> anyhow::Result<serde_json::Value> {
    let step = progress.start("Check the selfie on device (liveness prefilter)");
    let bytes = selfie.to_vec();
    let checked = tokio::task::spawn_blocking(move || prefilter::check_selfie(&bytes))
        .await
        .context("the prefilter task failed")?;
    let check = match checked {
        Ok(c) => c,
        Err(e) => {
            progress.fail(step, format!("{e:#}"));
            return Err(e.context(format!("--selfie {}", path.display())));
        }
    };
    let guidance = check.analysis.guidance;
    let verdict = json!({
        "detector": check.detector_error.is_none(),
        "faces": check.analysis.faces.len(),
        "bestFaceScore": check.best_score(),
        "guidance": guidance.key(),
        "advice": check.analysis.advice.iter().map(|a| a.key()).collect::<Vec<_>>(),
    });
    if !check.passes() {
        progress.fail(
            step,
            format!(
                "guidance {}: {}",
                guidance.key(),
                prefilter::advice(guidance)
            ),
        );
        bail!(
            "--selfie {} would not pass the liveness check (prefilter guidance {}: {}); nothing was sent: retake the photo, or pass --no-prefilter to upload it anyway",
            path.display(),
            guidance.key(),
            prefilter::advice(guidance)
        );
    }
    match &check.detector_error {
        Some(err) => {
            let warning = format!(
                "face detector unavailable ({err}); quality checks only (install it with `pip install onnxruntime==1.23.2` or scripts/test.sh)"
            );
            if json {
                // No progress lines with --json: say it once on stderr.
                eprintln!("warning: {warning}");
            }
            progress.warn(step, warning);
        }
        None => progress.done(
            step,
            format!(
                "{} face(s), best score {:.2}, guidance {}{}",
                check.analysis.faces.len(),
                check.best_score().unwrap_or_default(),
                guidance.key(),
                prefilter::advice_suffix(&check.analysis.advice)
            ),
        ),
    }
    Ok(verdict)
}

/// Runs the document check on one side before anything is sent and prints what it found: the
/// outline and guidance, the MRZ and the PDF417. With `refuse`, a document that was found but
/// is blurry, glared, too dark or too bright stops the run (it would waste a billed attempt);
/// no outline (a scan, a tight crop) or a framing hint never does: the server judges. Returns
/// the JSON verdict and the identity the MRZ or barcode gives (for the review's cross-check).
pub(crate) async fn check_document_side(
    bytes: &[u8],
    what: &str,
    shown: &str,
    refuse: bool,
    progress: &mut Progress,
) -> anyhow::Result<(serde_json::Value, Option<DocumentIdentity>)> {
    let step = progress.start(format!("Check the {what} on device (document check)"));
    let owned = bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || document::check_document(&owned))
        .await
        .context("the document check task failed")?;
    let check = match checked {
        Ok(c) => c,
        Err(e) => {
            progress.fail(step, format!("{e:#}"));
            return Err(e.context(shown.to_owned()));
        }
    };
    let guidance = check.report.guidance;
    if refuse && document::refuses(&check) {
        progress.fail(
            step,
            format!(
                "guidance {}: {}",
                guidance.key(),
                document::advice(guidance)
            ),
        );
        bail!(
            "{shown} would not pass the document check (guidance {}: {}); nothing was sent: retake the photo, or pass --no-document-check to upload it anyway",
            guidance.key(),
            document::advice(guidance)
        );
    }
    let identity = document::identity_of(&check);
    let mut detail = check.summary();
    if check.report.found && guidance != DocumentGuidance::Ok {
        detail.push_str(&format!(
            " ({}; the server judges)",
            document::advice(guidance)
        ));
    }
    progress.done(step, detail);
    Ok((document::check_json(&check), identity))
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

/// The enrollee's answers: codes from the terminal or stdin, and the images the pre-flight
/// already read and checked (the very bytes that are uploaded).
struct CliInputs {
    lines: LineSource,
    channel: PhoneChannel,
    images: Images,
    category: DocumentCategory,
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
        let category = self.category;
        if !accepted.is_empty() && !accepted.contains(&category) {
            bail!(
                "the flow does not accept {category:?} documents (it accepts {accepted:?}): pass --document-type"
            );
        }
        let bytes = match side {
            DocumentSide::Front => self.images.front.as_ref(),
            // Whether a back side is needed is the server's answer to the front upload
            // (`requiresBackSide`), so it cannot be checked before the registration exists.
            DocumentSide::Back => match self.images.back.as_ref() {
                Some(b) => Some(b),
                None if self.images.front.is_some() => {
                    bail!("the server asks for the back side of the document: pass --document-back")
                }
                None => None,
            },
        };
        Ok(bytes.map(|b| (b.clone(), category)))
    }

    async fn selfie(&mut self, _progress: &mut Progress) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self.images.selfie.clone())
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.email.is_none() && args.phone.is_none() {
        bail!("give at least --email or --phone with --country-code");
    }
    let client = client_for(&args.api_url, args.allow_insecure_http, &args.tls)?;
    let mut progress = Progress::new(if args.json { Mode::Quiet } else { Mode::Plain });

    // Pre-flight: everything that can be checked is checked before the registration is
    // created, so a missing or bad input writes nothing on the server and spends no check.
    let images = read_images(&args, &mut progress).await?;
    // ONNX Runtime for the whole run (the selfie's prefilter and the document face crop).
    let _ = tokio::task::spawn_blocking(crate::onnx::preload).await;
    let flow = runner::fetch_flow_step(
        &client,
        &mut progress,
        "Fetch the flow configuration",
        &args.project,
        &args.flow,
    )
    .await
    .context("fetching the flow configuration")?;
    let signup = SignUpData {
        email: args.email.clone(),
        phone: args.phone.clone(),
        country_code: args.country_code.clone(),
        full_name: args.name.clone(),
        language: Some("en".into()),
        ..SignUpData::default()
    };
    let step = progress.start("Check the inputs against the flow");
    let plan = match check_plan(&args, &flow, &signup) {
        Ok((plan, detail)) => {
            if detail.contains("does not use") {
                progress.warn(step, detail);
            } else {
                progress.done(step, detail);
            }
            plan
        }
        Err(e) => {
            progress.fail(step, format!("{e:#}"));
            return Err(e);
        }
    };
    let mut prefilter_verdict = serde_json::Value::Null;
    if let (Some(selfie), Some(path)) = (&images.selfie, &args.selfie)
        && plan.has(StepKind::Liveness)
        && !args.no_prefilter
    {
        prefilter_verdict = prefilter_selfie(selfie, path, args.json, &mut progress).await?;
    }
    let mut document_check = serde_json::Value::Null;
    let mut document_identity = None;
    if plan.has(StepKind::Document) && !args.no_document_check {
        if let (Some(front), Some(path)) = (&images.front, &args.document_front) {
            let shown = format!("--document-front {}", path.display());
            let (v, id) =
                check_document_side(front, "document front", &shown, true, &mut progress).await?;
            document_check = v;
            document_identity = id;
        }
        if let (Some(back), Some(path)) = (&images.back, &args.document_back) {
            let shown = format!("--document-back {}", path.display());
            let (v, id) =
                check_document_side(back, "document back", &shown, true, &mut progress).await?;
            if let Some(o) = document_check.as_object_mut() {
                o.insert("back".into(), v);
            }
            document_identity = document_identity.or(id);
        }
    }

    let session = EnrollmentSession::new(client.clone(), flow, signup)?;
    if let Some(id) = document_identity {
        // The review lists where the server's OCR disagrees with the document's own data.
        session.set_document_data(id);
    }
    let mut inputs = CliInputs {
        lines: LineSource {
            tty: std::io::stdin().is_terminal(),
        },
        channel: match args.channel {
            ChannelArg::Sms => PhoneChannel::Sms,
            ChannelArg::Whatsapp => PhoneChannel::Whatsapp,
        },
        images,
        category: document_category(&args),
    };
    let runner::Driven {
        result,
        states,
        review,
    } = runner::drive(&session, &mut inputs, &mut progress).await?;
    let stats = client.stats();
    if args.json {
        let mut out = runner::result_json(&result);
        out["review"] = review.as_ref().map_or(json!(null), runner::review_json);
        out["states"] = json!(states);
        out["steps"] = serde_json::to_value(progress.records())?;
        out["requests"] = json!(stats.requests);
        out["bytesUploaded"] = json!(stats.bytes_uploaded);
        out["prefilter"] = prefilter_verdict;
        out["document_check"] = document_check;
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!();
        println!("Outcome:      {}", runner::outcome_str(result.outcome));
        println!("Registration: {}", result.registration_id);
        println!("Token:        {}", result.token.expose());
        if let Some(url) = &result.redirect_url {
            println!("Redirect URL: {url}");
        }
        if let Some(r) = &review {
            for line in document::disagreement_lines(r) {
                println!("{line}");
            }
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
        let tls = TlsArgs::default();
        assert!(client_for("http://127.0.0.1:9", false, &tls).is_ok());
        assert!(client_for("https://api.example.com", false, &tls).is_ok());
        let err = client_for("http://10.0.2.2:8080", false, &tls).unwrap_err();
        assert!(
            format!("{err:#}").contains("--allow-insecure-http"),
            "{err:#}"
        );
        assert!(client_for("http://10.0.2.2:8080", true, &tls).is_ok());
    }
}
