//! A loopback TCP proxy that injects faults between the client and the sandbox. Each
//! connection carries one request (the proxy forces `connection: close`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forward untouched.
    Pass,
    /// Wait, then forward (slow network).
    Delay,
    /// Read the request, close without answering (never forwarded).
    Drop,
    /// Read the request, reset the connection (RST; never forwarded).
    Reset,
    /// Hold the connection past the client's timeout (never forwarded).
    Blackhole,
    /// Answer 502 with an HTML page (never forwarded).
    BadGateway,
    /// Answer 429 with `Retry-After: 1` (never forwarded).
    TooMany,
    /// Forward, let the server process it, then drop the answer.
    LoseAnswer,
}

/// Decides the fault for a request from its method and path.
pub type Decide = Arc<dyn Fn(&str, &str) -> Fault + Send + Sync>;

/// Receives every request's head (request line and headers, as sent; no body).
pub type Record = Arc<dyn Fn(&str) + Send + Sync>;

async fn read_request(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16 * 1024];
    loop {
        let n = s.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = s.read(&mut tmp).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&tmp[..n]);
            }
            return Some(buf);
        }
    }
}

fn find(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

/// Rewrites the head so the connection closes after one exchange.
fn close_after(msg: &[u8]) -> Vec<u8> {
    let Some(end) = find(msg, b"\r\n\r\n") else {
        return msg.to_vec();
    };
    let head = String::from_utf8_lossy(&msg[..end]);
    let mut out: Vec<String> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_owned)
        .collect();
    out.push("connection: close".into());
    let mut v = out.join("\r\n").into_bytes();
    v.extend_from_slice(&msg[end..]);
    v
}

async fn forward(upstream: SocketAddr, req: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await.ok()?;
    up.write_all(&close_after(req)).await.ok()?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await.ok()?;
    Some(resp)
}

/// Removes the `Idempotency-Key` header (its length is kept out of the body's framing).
fn strip_idempotency_key(req: Vec<u8>) -> Vec<u8> {
    let Some(end) = find(&req, b"\r\n\r\n") else {
        return req;
    };
    let head = String::from_utf8_lossy(&req[..end]);
    let kept: Vec<&str> = head
        .split("\r\n")
        .filter(|l| !l.to_ascii_lowercase().starts_with("idempotency-key:"))
        .collect();
    let mut v = kept.join("\r\n").into_bytes();
    v.extend_from_slice(&req[end..]);
    v
}

async fn handle(
    mut s: TcpStream,
    upstream: SocketAddr,
    decide: Decide,
    record: Option<Record>,
    strip_idempotency: bool,
) {
    let Some(mut req) = read_request(&mut s).await else {
        return;
    };
    if strip_idempotency {
        req = strip_idempotency_key(req);
    }
    if let Some(record) = &record {
        let end = find(&req, b"\r\n\r\n").unwrap_or(req.len());
        record(&String::from_utf8_lossy(&req[..end]));
    }
    let line = String::from_utf8_lossy(&req[..find(&req, b"\r\n").unwrap_or(0)]).to_string();
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let fault = decide(&method, &path);
    match fault {
        Fault::Pass | Fault::Delay => {
            if fault == Fault::Delay {
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            if let Some(resp) = forward(upstream, &req).await {
                let _ = s.write_all(&close_after(&resp)).await;
            }
            let _ = s.shutdown().await;
        }
        Fault::Drop => {
            let _ = s.shutdown().await;
        }
        Fault::Reset => {
            let _ = s.set_zero_linger();
            drop(s);
        }
        Fault::Blackhole => {
            tokio::time::sleep(Duration::from_millis(5_000)).await;
            drop(s);
        }
        Fault::BadGateway => {
            let body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
            let resp = format!(
                "HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
            let _ = s.shutdown().await;
        }
        Fault::TooMany => {
            let body = r#"{"code":"TooManyRequests","message":"429:TooManyRequests"}"#;
            let resp = format!(
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 1\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = s.write_all(resp.as_bytes()).await;
            let _ = s.shutdown().await;
        }
        Fault::LoseAnswer => {
            let _ = forward(upstream, &req).await;
            let _ = s.set_zero_linger();
            drop(s);
        }
    }
}

/// Starts the proxy in front of `upstream`; returns its address.
pub async fn start_proxy(upstream: SocketAddr, decide: Decide) -> SocketAddr {
    start_recording_proxy(upstream, decide, None).await
}

/// [`start_proxy`], also handing every request's head to `record`.
pub async fn start_recording_proxy(
    upstream: SocketAddr,
    decide: Decide,
    record: Option<Record>,
) -> SocketAddr {
    start_proxy_with(upstream, decide, record, false).await
}

/// [`start_recording_proxy`]; with `strip_idempotency` the `Idempotency-Key` header is removed
/// before forwarding (the server's idempotency is then out of play).
pub async fn start_proxy_with(
    upstream: SocketAddr,
    decide: Decide,
    record: Option<Record>,
    strip_idempotency: bool,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            tokio::spawn(handle(
                s,
                upstream,
                decide.clone(),
                record.clone(),
                strip_idempotency,
            ));
        }
    });
    addr
}
