//! The accept loop: HTTP/1.1 connections served by hyper with a header-read timeout (a
//! connection that sends no complete request head in time is closed, idle keep-alive ones
//! included), a limit on open connections (the one over it gets a JSON 503 and is closed), and
//! hyper's own protocol-level answers (400, 414, 431) rewritten into the JSON error envelope.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Default header-read timeout (the range is 10–20 s).
pub(crate) const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// Default limit on open connections.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// Largest request head (request line plus headers) hyper buffers; more gets 431.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most request headers; more gets 431.
const MAX_HEADERS: usize = 100;

/// A complete HTTP/1.1 answer with the JSON error envelope, closing the connection.
pub(crate) fn error_response(status: u16, reason: &str, code: &str, token: &str) -> Vec<u8> {
    let body =
        serde_json::json!({"code": code, "message": format!("{status}:{token}")}).to_string();
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The JSON answer replacing hyper's bodiless automatic answer to a request it cannot parse.
fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    let status = head.strip_prefix(b"HTTP/1.1 ")?.get(..4)?;
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let lower = head[..end].to_ascii_lowercase();
    // Our own answers always carry a content type; hyper's automatic ones never do.
    if lower.windows(13).any(|w| w == b"content-type:") {
        return None;
    }
    Some(match status {
        b"400 " => error_response(400, "Bad Request", "BadRequest", "bad_request"),
        b"414 " => error_response(414, "URI Too Long", "UriTooLong", "uri_too_long"),
        b"431 " => error_response(
            431,
            "Request Header Fields Too Large",
            "RequestHeaderFieldsTooLarge",
            "header_fields_too_large",
        ),
        _ => return None,
    })
}

/// A TCP stream whose writes are watched for hyper's automatic error answers.
struct JsonErrors {
    inner: TcpStream,
    pending: Vec<u8>,
}

impl JsonErrors {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.pending.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.pending.drain(..n);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for JsonErrors {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonErrors {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(replacement) = rewrite(buf) {
            self.pending = replacement;
            // Whatever is not written now is written by the next flush or shutdown.
            if let Poll::Ready(Err(e)) = self.drain(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Connection limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub header_read_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `app` on `listener` until `cancel` fires, then lets open connections finish their
/// current request.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    cancel: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let conns = TaskTracker::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        .max_headers(MAX_HEADERS)
        .writev(false);
    loop {
        let (stream, _peer) = tokio::select! {
            () = cancel.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            conns.spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(JsonErrors {
            inner: stream,
            pending: Vec::new(),
        });
        let service = TowerToHyperService::new(app.clone());
        let conn = builder.serve_connection(io, service);
        let cancel = cancel.clone();
        conns.spawn(async move {
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                res = conn.as_mut() => log_conn(res),
                () = cancel.cancelled() => {
                    conn.as_mut().graceful_shutdown();
                    log_conn(conn.await);
                }
            }
            drop(permit);
        });
    }
    conns.close();
    conns.wait().await;
}

fn log_conn(res: Result<(), hyper::Error>) {
    if let Err(err) = res {
        tracing::debug!(error = %err, "connection ended with an error");
    }
}

/// Answers a connection over the limit with a JSON 503 and closes it.
async fn refuse(mut stream: TcpStream) {
    tracing::warn!("connection limit reached; connection refused");
    let answer = error_response(
        503,
        "Service Unavailable",
        "ServiceUnavailable",
        "too_many_connections",
    );
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        let _ = stream.write_all(&answer).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_bodiless_protocol_errors() {
        let auto = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(rewrite(auto).unwrap()).unwrap();
        assert!(out.contains("\"code\":\"UriTooLong\""), "{out}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\r\n{}";
        assert!(rewrite(ours).is_none());
        assert!(rewrite(b"HTTP/1.1 200 OK\r\n\r\n").is_none());
    }
}
