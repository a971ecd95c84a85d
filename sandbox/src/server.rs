//! Server start-up, shared state and graceful shutdown.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rand::RngCore;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::{Clock, SystemClock, millis};
use crate::db::{self, Db};
use crate::webhooks::{self, Outgoing};
use crate::{SandboxError, auth, conn, images, routes};

/// How to run a sandbox.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Listen address (default `127.0.0.1:0`, an ephemeral port).
    pub bind: SocketAddr,
    /// Where the SQLite database (`sandbox.db`) and images (`images/`) live.
    pub data_dir: PathBuf,
    /// Enables `GET /sandbox/outbox`.
    pub dev: bool,
    /// Preset client token; when `None`, one is generated at first start (stored hashed).
    pub client_token: Option<String>,
    /// Time source (tests inject a [`crate::ManualClock`]).
    pub clock: Arc<dyn Clock>,
    /// Webhook retry backoff: the wait before the second attempt, doubled before the third
    /// (default 250 ms). Measured on the wall clock, not `clock`.
    pub webhook_backoff: Duration,
    /// Compare one-time codes as strings only: a code sent as a JSON number (`"otp": 48213`)
    /// never matches and counts as a wrong try (`403 otp_does_not_match`), also for a demo
    /// project's `demoOTP`. Off by default (numbers are zero-padded to 6 digits).
    pub otp_string_only: bool,
    /// A connection that has not sent a complete request head this long after it opened (or
    /// after its previous answer) is closed. Default 15 s.
    pub header_read_timeout: Duration,
    /// Most connections open at once; one more gets a JSON 503 `too_many_connections` and is
    /// closed. Default 512.
    pub max_connections: usize,
    /// Durable commits (default `true`): SQLite `synchronous=FULL`, and image files and their
    /// directory fsynced before the transaction that references them commits. `false`
    /// (`synchronous=NORMAL`, no fsync) exists only as the load bench's baseline.
    pub durable: bool,
}

impl SandboxConfig {
    /// Loopback on an ephemeral port, no outbox, generated client token, system clock.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: data_dir.into(),
            dev: false,
            client_token: None,
            clock: Arc::new(SystemClock),
            webhook_backoff: webhooks::DEFAULT_BACKOFF,
            otp_string_only: false,
            header_read_timeout: conn::DEFAULT_HEADER_READ_TIMEOUT,
            max_connections: conn::DEFAULT_MAX_CONNECTIONS,
            durable: true,
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field("dev", &self.dev)
            .field(
                "client_token",
                &self.client_token.as_ref().map(|_| "[redacted]"),
            )
            .field("webhook_backoff", &self.webhook_backoff)
            .field("otp_string_only", &self.otp_string_only)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("durable", &self.durable)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub jwt_key: Vec<u8>,
    pub otp_key: Vec<u8>,
    pub client_token_hash: [u8; 32],
    pub dev: bool,
    pub otp_string_only: bool,
    pub base_url: String,
    pub images_dir: PathBuf,
    pub out: Outgoing,
    /// Fsync image files before committing (see [`SandboxConfig::durable`]).
    pub durable: bool,
    /// Megapixels being decoded at once (see [`crate::images`]).
    pub decodes: Arc<tokio::sync::Semaphore>,
}

/// Shared request state.
pub(crate) type AppState = Arc<Inner>;

impl Inner {
    pub fn now_ms(&self) -> i64 {
        millis(self.clock.now())
    }
}

/// A running sandbox server.
pub struct Sandbox {
    addr: SocketAddr,
    generated_token: Option<String>,
    cancel: CancellationToken,
    server: tokio::task::JoinHandle<()>,
    tracker: TaskTracker,
    db: Db,
    router: axum::Router,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    rand::rng().fill_bytes(&mut v);
    v
}

/// `sandbox.db` holds the signing secrets and personal data, `images/` the enrollees' photos:
/// owner only. The database file is created 0600 before SQLite opens it (SQLite gives its `-wal`
/// and `-shm` files the database file's mode); existing ones are tightened. The data directory
/// itself may be a user's directory (`--data-dir .`), so its mode is left alone.
#[cfg(unix)]
fn restrict_permissions(
    images_dir: &std::path::Path,
    db_path: &std::path::Path,
) -> Result<(), SandboxError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let set = |path: &std::path::Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|source| {
            SandboxError::DataDir {
                path: path.to_path_buf(),
                source,
            }
        })
    };
    set(images_dir, 0o700)?;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(db_path)
        .map_err(|source| SandboxError::DataDir {
            path: db_path.to_path_buf(),
            source,
        })?;
    set(db_path, 0o600)?;
    for suffix in ["-wal", "-shm"] {
        let mut name = db_path.as_os_str().to_owned();
        name.push(suffix);
        let path = std::path::PathBuf::from(name);
        if path.exists() {
            set(&path, 0o600)?;
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn restrict_permissions(
    _images_dir: &std::path::Path,
    _db_path: &std::path::Path,
) -> Result<(), SandboxError> {
    Ok(())
}

/// Removes image files that no committed row references (a request that stopped between
/// writing its image and committing). Runs at start, before any request.
fn sweep_orphan_images(conn: &rusqlite::Connection, dir: &std::path::Path) {
    let known: std::collections::HashSet<String> = match conn
        .prepare("SELECT file FROM images")
        .and_then(|mut st| st.query_map([], |r| r.get::<_, String>(0))?.collect())
    {
        Ok(files) => files,
        Err(err) => {
            tracing::warn!(error = %err, "cannot list stored images; orphan sweep skipped");
            return;
        }
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut removed = 0usize;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name)
            && entry.path().is_file()
            && std::fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "removed orphan image files");
    }
}

/// What a start created in the data directory, removed again when the start fails after all
/// (e.g. the database cannot be opened): a refused start leaves the disk as it found it.
#[derive(Default)]
struct Created {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Created {
    /// Creates `dir` and its missing parents one at a time, remembering each one created.
    fn dir_all(&mut self, dir: &Path) -> Result<(), SandboxError> {
        let missing: Vec<&Path> = dir
            .ancestors()
            .take_while(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_err())
            .collect();
        for path in missing.into_iter().rev() {
            match std::fs::create_dir(path) {
                Ok(()) => self.dirs.push(path.to_path_buf()),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
                Err(source) => {
                    return Err(SandboxError::DataDir {
                        path: path.to_path_buf(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// Removes what was created, newest first (directories only if empty).
    fn undo(self) {
        for file in self.files.iter().rev() {
            let _ = std::fs::remove_file(file);
        }
        for dir in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn not_a(path: &Path, what: &str) -> SandboxError {
    SandboxError::DataDir {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!("exists but is not a {what}")),
    }
}

/// Checks, without writing anything, that the data directory can be used: the nearest existing
/// ancestor of the data directory is a directory, an existing `images` is a directory and an
/// existing `sandbox.db` a regular file.
fn check_data_dir(data_dir: &Path, images_dir: &Path, db_path: &Path) -> Result<(), SandboxError> {
    for path in data_dir.ancestors().filter(|p| !p.as_os_str().is_empty()) {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => return Err(not_a(path, "directory")),
            // Missing, or below a regular file (which the next ancestor reports).
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) => {}
            Err(source) => {
                return Err(SandboxError::DataDir {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
    }
    if let Ok(meta) = std::fs::metadata(images_dir)
        && !meta.is_dir()
    {
        return Err(not_a(images_dir, "directory"));
    }
    if let Ok(meta) = std::fs::metadata(db_path)
        && !meta.is_file()
    {
        return Err(not_a(db_path, "file"));
    }
    Ok(())
}

/// Everything `start` reads from the database.
struct Opened {
    conn: rusqlite::Connection,
    jwt_key: Vec<u8>,
    otp_key: Vec<u8>,
    client_token_hash: [u8; 32],
    generated: Option<String>,
}

/// Creates the data directory's missing parts (recorded in `created`), opens and migrates the
/// database and loads or creates the secrets.
async fn open_data_dir(
    created: &mut Created,
    images_dir: &Path,
    db_path: &Path,
    preset: Option<String>,
    durable: bool,
) -> Result<Opened, SandboxError> {
    let db_existed = std::fs::symlink_metadata(db_path).is_ok();
    created.dir_all(images_dir)?;
    if !db_existed {
        // A database created now is removed with its SQLite side files if the start fails.
        created.files.push(db_path.to_path_buf());
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = db_path.as_os_str().to_owned();
            name.push(suffix);
            created.files.push(PathBuf::from(name));
        }
    }
    restrict_permissions(images_dir, db_path)?;
    let db_path = db_path.to_path_buf();
    let sweep_dir = images_dir.to_path_buf();
    let (conn, jwt_key, otp_key, token_hash, generated) =
        tokio::task::spawn_blocking(move || -> Result<_, SandboxError> {
            let conn = db::open(&db_path, durable)?;
            let (jwt_key, _) = db::meta_get_or_insert(&conn, "jwt_secret", || random_bytes(32))?;
            let (otp_key, _) = db::meta_get_or_insert(&conn, "otp_secret", || random_bytes(32))?;
            let mut generated = None;
            let hash = if let Some(token) = preset {
                let hash = auth::hash_token(&token);
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('client_token_sha256', ?1)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [hash.to_vec()],
                )?;
                hash.to_vec()
            } else {
                let token = format!("se_sandbox_{}", hex::encode(random_bytes(24)));
                let (hash, created) = db::meta_get_or_insert(&conn, "client_token_sha256", || {
                    auth::hash_token(&token).to_vec()
                })?;
                if created {
                    generated = Some(token);
                }
                hash
            };
            sweep_orphan_images(&conn, &sweep_dir);
            Ok((conn, jwt_key, otp_key, hash, generated))
        })
        .await
        .map_err(|e| SandboxError::Internal(e.to_string()))??;
    let client_token_hash: [u8; 32] = token_hash
        .try_into()
        .map_err(|_| SandboxError::Internal("stored client token hash is corrupt".into()))?;
    Ok(Opened {
        conn,
        jwt_key,
        otp_key,
        client_token_hash,
        generated,
    })
}

impl Sandbox {
    /// Opens (or creates) the data directory and starts serving.
    ///
    /// Everything that can be checked without writing is checked first (client token, data
    /// directory paths, webhook client, binding the address); if the start still fails while
    /// opening the database, what it created in the data directory is removed again.
    pub async fn start(config: SandboxConfig) -> Result<Sandbox, SandboxError> {
        if let Some(t) = &config.client_token
            && (t.len() < 8 || t.chars().any(char::is_whitespace))
        {
            return Err(SandboxError::InvalidClientToken(
                "must be at least 8 characters without whitespace",
            ));
        }
        let data_dir = config.data_dir.clone();
        let images_dir = data_dir.join("images");
        let db_path = data_dir.join("sandbox.db");
        check_data_dir(&data_dir, &images_dir, &db_path)?;
        let client = webhooks::http_client()?;
        let listener =
            TcpListener::bind(config.bind)
                .await
                .map_err(|source| SandboxError::Bind {
                    addr: config.bind,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
            addr: config.bind,
            source,
        })?;

        let mut created = Created::default();
        let opened = open_data_dir(
            &mut created,
            &images_dir,
            &db_path,
            config.client_token.clone(),
            config.durable,
        )
        .await;
        let Opened {
            conn,
            jwt_key,
            otp_key,
            client_token_hash,
            generated,
        } = match opened {
            Ok(o) => o,
            Err(err) => {
                // The connection (if any) is closed by now.
                created.undo();
                return Err(err);
            }
        };

        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        let db = Db::new(conn);
        let out = webhooks::start(
            client,
            db.clone(),
            config.webhook_backoff,
            cancel.clone(),
            &tracker,
        );
        let state: AppState = Arc::new(Inner {
            db: db.clone(),
            clock: config.clock,
            jwt_key,
            otp_key,
            client_token_hash,
            dev: config.dev,
            otp_string_only: config.otp_string_only,
            base_url: format!("http://{addr}"),
            images_dir,
            out,
            durable: config.durable,
            decodes: Arc::new(tokio::sync::Semaphore::new(images::DECODE_BUDGET_MP)),
        });
        let app = routes::router(state);
        let limits = conn::Limits {
            header_read_timeout: config.header_read_timeout,
            max_connections: config.max_connections,
        };
        let router = app.clone();
        let server = tokio::spawn(conn::serve(listener, app, limits, cancel.clone()));
        tracing::info!(%addr, dev = config.dev, "sandbox listening");
        if config.dev && !addr.ip().is_loopback() {
            // The outbox needs no token: on a shared network anyone could read the codes.
            tracing::warn!(
                %addr,
                "dev outbox reachable beyond this machine: anyone on the network can read OTP codes"
            );
        }
        Ok(Sandbox {
            addr,
            generated_token: generated,
            cancel,
            server,
            tracker,
            db,
            router,
        })
    }

    /// The request router without the connection layer, for driving requests in-process (the
    /// fuzz target). Not a stable API.
    #[doc(hidden)]
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The client token generated at this (first) start, if any.
    pub fn generated_client_token(&self) -> Option<String> {
        self.generated_token.clone()
    }

    /// Stops accepting requests, lets in-flight ones finish, stops webhook retries and
    /// checkpoints the database. Everything committed stays on disk.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        if let Err(err) = self.server.await {
            tracing::error!(error = %err, "sandbox server task failed");
        }
        self.tracker.close();
        self.tracker.wait().await;
        let db = self.db.clone();
        let _ = tokio::task::spawn_blocking(move || {
            db.with_conn(|c| {
                if let Err(err) = c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);") {
                    tracing::warn!(error = %err, "WAL checkpoint failed");
                }
            })
        })
        .await;
        tracing::info!("sandbox stopped");
    }
}
