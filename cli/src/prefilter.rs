//! `smart-enroll prefilter <image>... [--json]`: runs the on-device liveness prefilter (a capture
//! quality gate, not presentation-attack detection) on still images and prints, per image, the
//! detected faces (box, score), the guidance key and any framing advice. A still is judged on
//! what the server needs (one face, large and sharp enough, well exposed, frontal):
//! `face_off_center` is advice there, never a refusal.

use std::path::PathBuf;

use anyhow::Context;
use smart_enroll_core::prefilter::{
    GuidanceCode, ImageAnalysis, MAX_DIMENSION, Prefilter, PrefilterConfig, PrefilterError,
};

#[derive(clap::Args)]
pub struct Args {
    /// Image files (PNG, JPEG, WebP).
    #[arg(required = true)]
    pub images: Vec<PathBuf>,
    /// Print JSON (one array entry per image) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// ONNX Runtime shared library to load (default: ORT_DYLIB_PATH, then the Python
    /// `onnxruntime` wheel, then system library directories).
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Entry {
    path: String,
    #[serde(flatten)]
    analysis: Option<ImageAnalysis>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    tokio::task::spawn_blocking(move || run_blocking(args))
        .await
        .context("prefilter task failed")?
}

fn run_blocking(args: Args) -> anyhow::Result<()> {
    let prefilter = Prefilter::new(PrefilterConfig {
        runtime_path: crate::onnx::runtime_path(args.ort_lib.as_deref()),
        ..PrefilterConfig::default()
    })?;
    if let Some(err) = prefilter.detector_error() {
        anyhow::bail!("face detector unavailable: {err}");
    }
    let entries: Vec<Entry> = args
        .images
        .iter()
        .map(|path| {
            let shown = path.display().to_string();
            // Size and header dimensions are checked before the file is read or decoded.
            let result = crate::image_file::read_checked(path, Some(MAX_DIMENSION))
                .map(|(bytes, _)| bytes)
                .map_err(|e| e.to_string())
                .and_then(|bytes| prefilter.analyze_image(&bytes).map_err(|e| e.to_string()));
            match result {
                Ok(analysis) => Entry {
                    path: shown,
                    analysis: Some(analysis),
                    error: None,
                },
                Err(error) => Entry {
                    path: shown,
                    analysis: None,
                    error: Some(error),
                },
            }
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        print!("{}", table(&entries));
    }
    let failed = entries.iter().filter(|e| e.error.is_some()).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} image(s) could not be analysed",
            entries.len()
        );
    }
    Ok(())
}

/// The prefilter's verdict on a selfie, for `enroll`'s pre-flight.
#[derive(Debug)]
pub struct SelfieCheck {
    /// What the prefilter saw in the selfie as it will be uploaded.
    pub analysis: ImageAnalysis,
    /// Why the face detector could not run, if so: only the quality checks (exposure,
    /// sharpness) were made, as in `demo`.
    pub detector_error: Option<PrefilterError>,
}

impl SelfieCheck {
    /// Whether the prefilter would let this selfie through (what the SDK's capture accepts).
    pub fn passes(&self) -> bool {
        self.analysis.guidance.is_good()
    }

    /// The best face's detection score, if a face was found.
    pub fn best_score(&self) -> Option<f32> {
        self.analysis
            .faces
            .iter()
            .map(|f| f.score)
            .fold(None, |acc: Option<f32>, s| {
                Some(acc.map_or(s, |a| a.max(s)))
            })
    }
}

/// Runs the prefilter on a selfie exactly as it will be uploaded: the core's upload
/// preparation first (EXIF orientation applied, long edge ≤ 1080 px, JPEG), then
/// `analyze_image`. Blocking (loads ONNX Runtime and the model): call it off the async runtime.
/// A missing ONNX Runtime is not an error here (see [`SelfieCheck::detector_error`]).
pub fn check_selfie(bytes: &[u8]) -> anyhow::Result<SelfieCheck> {
    let prepared = smart_enroll_core::media::prepare_selfie(bytes)
        .context("preparing the selfie for upload")?;
    let prefilter = Prefilter::new(crate::onnx::prefilter_config())?;
    let detector_error = prefilter.detector_error();
    let analysis = prefilter
        .analyze_image(&prepared.jpeg)
        .context("analysing the selfie")?;
    Ok(SelfieCheck {
        analysis,
        detector_error,
    })
}

/// " (advice: face_off_center)" for a still's framing advice, "" when there is none.
pub fn advice_suffix(advice: &[GuidanceCode]) -> String {
    if advice.is_empty() {
        String::new()
    } else {
        let keys: Vec<&str> = advice.iter().map(|a| a.key()).collect();
        format!(" (advice: {})", keys.join(", "))
    }
}

/// What the user should change for a guidance code that refuses a still selfie.
pub fn advice(code: GuidanceCode) -> &'static str {
    match code {
        GuidanceCode::FaceNotFound => "no face found",
        GuidanceCode::MultipleFaces => "more than one face: only the enrollee may be in the photo",
        GuidanceCode::FaceTooClose => "the face is too close or cut off by the edge",
        GuidanceCode::FaceTooSmall => "the face is too small: take the photo closer",
        GuidanceCode::FaceOffCenter => "the face is not centred",
        GuidanceCode::HeadTurned => "the head is turned: look straight at the camera",
        GuidanceCode::HeadTilted => "the head is tilted: hold it straight",
        GuidanceCode::TooDark => "the face is too dark",
        GuidanceCode::TooBright => "the face is too bright",
        GuidanceCode::Blurry => "the photo is blurry",
        GuidanceCode::Moving
        | GuidanceCode::TurnHeadLeft
        | GuidanceCode::TurnHeadRight
        | GuidanceCode::LookStraight
        | GuidanceCode::Blink
        | GuidanceCode::ChallengeFailed => "the photo is not usable",
        GuidanceCode::HoldStill | GuidanceCode::Captured => "the photo is usable",
    }
}

fn table(entries: &[Entry]) -> String {
    let mut rows = vec![[
        "IMAGE".to_owned(),
        "SIZE".to_owned(),
        "GUIDANCE".to_owned(),
        "FACES (x,y,w,h score)".to_owned(),
    ]];
    for e in entries {
        rows.push(match (&e.analysis, &e.error) {
            (Some(a), _) => [
                e.path.clone(),
                format!("{}x{}", a.width, a.height),
                format!("{}{}", a.guidance.key(), advice_suffix(&a.advice)),
                if a.faces.is_empty() {
                    "-".to_owned()
                } else {
                    a.faces
                        .iter()
                        .map(|f| {
                            format!(
                                "{:.0},{:.0},{:.0},{:.0} {:.2}",
                                f.x, f.y, f.width, f.height, f.score
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                },
            ],
            (None, error) => [
                e.path.clone(),
                "-".to_owned(),
                "error".to_owned(),
                error.clone().unwrap_or_default(),
            ],
        });
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> PathBuf {
        let dir = std::env::var_os("SMART_ENROLL_PREFILTER_TEST_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/prefilter-test-data")
            });
        assert!(
            dir.join("COMPLETE").is_file(),
            "prefilter test photos missing in {}: run scripts/test.sh",
            dir.display()
        );
        dir.join(name)
    }

    fn entries(paths: &[PathBuf]) -> Vec<Entry> {
        let p = Prefilter::new(PrefilterConfig::default()).unwrap();
        assert!(
            p.detector_error().is_none(),
            "{:?}: run scripts/test.sh",
            p.detector_error()
        );
        paths
            .iter()
            .map(|path| Entry {
                path: path.display().to_string(),
                analysis: Some(p.analyze_image(&std::fs::read(path).unwrap()).unwrap()),
                error: None,
            })
            .collect()
    }

    #[test]
    fn table_and_json_report_faces_and_guidance() {
        let e = entries(&[data("astronaut.png"), data("coffee.png")]);
        let t = table(&e);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(
            lines[1].contains("astronaut.png") && lines[1].contains("512x512"),
            "{t}"
        );
        assert!(
            lines[1].contains("face_too_small") && lines[1].contains(" 0.9"),
            "{t}"
        );
        assert!(
            lines[2].contains("coffee.png") && lines[2].contains("face_not_found"),
            "{t}"
        );
        let json: serde_json::Value = serde_json::to_value(&e).unwrap();
        assert_eq!(json[0]["guidance"], "face_too_small");
        assert_eq!(json[0]["faces"].as_array().unwrap().len(), 1);
        assert!(json[0]["faces"][0]["score"].as_f64().unwrap() > 0.85);
        assert_eq!(json[1]["faces"].as_array().unwrap().len(), 0);
        assert_eq!(json[1]["guidance"], "face_not_found");
    }

    #[test]
    fn unreadable_images_are_reported_and_fail_the_run() {
        let err = run_blocking(Args {
            images: vec![data("astronaut.png"), PathBuf::from("/nonexistent/x.png")],
            json: true,
            ort_lib: None,
        })
        .unwrap_err();
        assert!(err.to_string().contains("1 of 2"), "{err}");
    }
}
