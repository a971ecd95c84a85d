//! Reads one-time codes from the sandbox's dev-only outbox (`GET /sandbox/outbox?to=`).
//!
//! Only the demo and the tests use it: a real deployment sends codes by email, SMS or WhatsApp.
//! The outbox answers newest first: `{"data":[{"channel","to","code",...}]}`.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;

#[derive(Deserialize)]
struct OutboxPage {
    #[serde(default)]
    data: Vec<OutboxEntry>,
}

#[derive(Deserialize)]
struct OutboxEntry {
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    code: Option<serde_json::Value>,
}

/// A reader of the sandbox outbox.
#[derive(Debug, Clone)]
pub struct Outbox {
    http: reqwest::Client,
    base_url: String,
}

impl Outbox {
    /// An outbox reader for the sandbox at `base_url` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base_url: &str) -> anyhow::Result<Self> {
        // reqwest is built with `rustls-no-provider` (feature-unified with the core), so it needs
        // a TLS configuration even for plain HTTP. The outbox is loopback HTTP only: an empty
        // root store makes any HTTPS attempt fail instead of trusting anything.
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS set-up for the outbox client")?
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .context("building the outbox HTTP client")?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The newest code sent to any of `to` (tried in order), on one of `channels` (any channel
    /// when empty). Polls (up to ~10 s) in case the delivery is not recorded yet.
    pub async fn latest_code(&self, to: &[String], channels: &[&str]) -> anyhow::Result<String> {
        const TRIES: u32 = 100;
        for attempt in 0..TRIES {
            for recipient in to {
                if let Some(code) = self.fetch(recipient, channels).await? {
                    return Ok(code);
                }
            }
            if attempt + 1 < TRIES {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        bail!(
            "the sandbox outbox has no code for this recipient (is the sandbox running with --dev?)"
        )
    }

    async fn fetch(&self, to: &str, channels: &[&str]) -> anyhow::Result<Option<String>> {
        let url = format!("{}/sandbox/outbox", self.base_url);
        let resp = self
            .http
            .get(&url)
            .query(&[("to", to)])
            .send()
            .await
            // The URL carries the recipient (`?to=` email or phone): keep it out of the error.
            .map_err(reqwest::Error::without_url)
            .context("reading the sandbox outbox")?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            bail!("the sandbox outbox is disabled (start the sandbox with --dev)");
        }
        if !status.is_success() {
            bail!("the sandbox outbox answered HTTP {}", status.as_u16());
        }
        let page: OutboxPage = resp
            .json()
            .await
            .map_err(reqwest::Error::without_url)
            .context("the sandbox outbox answered malformed JSON")?;
        let code = page
            .data
            .into_iter()
            .filter(|e| {
                channels.is_empty()
                    || e.channel
                        .as_deref()
                        .is_some_and(|c| channels.iter().any(|w| w.eq_ignore_ascii_case(c)))
            })
            .find_map(|e| match e.code {
                Some(serde_json::Value::String(s)) => Some(s),
                Some(serde_json::Value::Number(n)) => Some(format!("{n:0>6}")),
                _ => None,
            });
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_failed_read_does_not_reveal_the_recipient() {
        // A loopback port with nothing listening: the request fails to connect.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let outbox = super::Outbox::new(&format!("http://127.0.0.1:{port}")).unwrap();
        let err = outbox.fetch("jane.doe@example.com", &[]).await.unwrap_err();
        for text in [format!("{err:#}"), format!("{err:?}")] {
            assert!(text.contains("reading the sandbox outbox"), "{text}");
            assert!(!text.contains("jane.doe"), "recipient leaked: {text}");
            assert!(!text.contains("example.com"), "recipient leaked: {text}");
        }
    }
}
