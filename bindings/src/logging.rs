//! Logging: `tracing` events go to logcat on Android (`android_logger`), to the unified log on
//! Apple platforms (`tracing-oslog`) and to stderr elsewhere; an optional foreign [`LogSink`]
//! receives them too. The SDK never logs personal data (codes, tokens, e-mails, phones, names,
//! image bytes): the core wraps such values in redacting types.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::Registry;
use tracing_subscriber::filter::{Targets, filter_fn};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// Severity of a log record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn from_tracing(level: &tracing::Level) -> Self {
        match *level {
            tracing::Level::ERROR => Self::Error,
            tracing::Level::WARN => Self::Warn,
            tracing::Level::INFO => Self::Info,
            tracing::Level::DEBUG => Self::Debug,
            tracing::Level::TRACE => Self::Trace,
        }
    }

    /// The level used until the app calls `init_logging`: WARN on desktop hosts (a JVM or CLI
    /// program stays quiet), INFO on Android and Apple platforms (logcat / unified log).
    fn platform_default() -> Self {
        if cfg!(any(target_os = "android", target_vendor = "apple")) {
            Self::Info
        } else {
            Self::Warn
        }
    }
}

/// One log record handed to a foreign [`LogSink`].
#[derive(Debug, Clone, uniffi::Record)]
pub struct LogRecord {
    pub level: LogLevel,
    /// The Rust module that logged it, e.g. `smart_enroll_core::flow`.
    pub target: String,
    /// The formatted event (its message and fields).
    pub line: String,
}

/// A host-supplied log sink (e.g. to forward SDK logs to the app's own logger). It is called
/// from SDK threads; an exception thrown by it is swallowed, never crashing the SDK.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, record: LogRecord);
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static INIT: OnceLock<()> = OnceLock::new();
/// The SDK's log level (a `LogLevel` as `u8`), read by the filter on every event, so that
/// `init_logging` can change it after the implicit initialisation.
static LEVEL: AtomicU8 = AtomicU8::new(LogLevel::Warn as u8);

/// The SDK's crates, whose events the level applies to (other crates' events are dropped).
const SDK_TARGETS: [&str; 3] = [
    "smart_enroll_core",
    "smart_enroll_ffi",
    "smart_enroll_prefilter",
];

fn current_level() -> tracing::Level {
    match LEVEL.load(Ordering::Relaxed) {
        0 => tracing::Level::ERROR,
        1 => tracing::Level::WARN,
        2 => tracing::Level::INFO,
        3 => tracing::Level::DEBUG,
        _ => tracing::Level::TRACE,
    }
}

thread_local! {
    /// Set while a foreign sink runs, so that logging from inside it cannot recurse.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Installs (or, with `None`, removes) the foreign log sink. Also initialises logging (at the
/// platform's default level unless `init_logging` chose one).
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>) {
    install();
    match SINK.write() {
        Ok(mut guard) => *guard = sink,
        Err(poisoned) => *poisoned.into_inner() = sink,
    }
}

/// Sets the SDK's log level (every call; the first one also installs the logger). Until it is
/// called, the SDK logs at WARN on desktop hosts (e.g. a JVM) and INFO on Android and Apple
/// platforms. On hosts with an environment, `RUST_LOG` (a `target=level,...` list, e.g.
/// `smart_enroll_core=debug`) takes precedence.
#[uniffi::export]
pub fn init_logging(level: LogLevel) {
    LEVEL.store(level as u8, Ordering::Relaxed);
    install();
}

/// Installs the logger at the platform's default level, unless it is installed already (called
/// when the first client is created and by [`set_log_sink`]).
pub(crate) fn init_default_logging() {
    if INIT.get().is_none() {
        LEVEL.store(LogLevel::platform_default() as u8, Ordering::Relaxed);
    }
    install();
}

/// Installs the global subscriber once per process.
fn install() {
    INIT.get_or_init(|| {
        let from_env = std::env::var("RUST_LOG")
            .ok()
            .and_then(|v| v.parse::<Targets>().ok());
        let filter = filter_fn(move |meta| match &from_env {
            Some(targets) => targets.would_enable(meta.target(), meta.level()),
            None => {
                SDK_TARGETS.iter().any(|t| meta.target().starts_with(t))
                    && *meta.level() <= current_level()
            }
        });
        let subscriber = Registry::default()
            .with(filter)
            .with(ForeignSinkLayer)
            .with(platform_layer());
        // Another global subscriber (the host app's) may already be set: keep it.
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

type BoxedLayer<S> = Box<dyn Layer<S> + Send + Sync + 'static>;

#[cfg(target_os = "android")]
fn platform_layer<S>() -> BoxedLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    android_logger::init_once(
        android_logger::Config::default()
            .with_tag("SmartEnroll")
            .with_max_level(log::LevelFilter::Trace),
    );
    Box::new(AndroidLayer)
}

#[cfg(target_vendor = "apple")]
fn platform_layer<S>() -> BoxedLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    Box::new(tracing_oslog::OsLogger::new(
        "com.smartenroll.sdk",
        "default",
    ))
}

#[cfg(not(any(target_os = "android", target_vendor = "apple")))]
fn platform_layer<S>() -> BoxedLayer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    Box::new(
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(true),
    )
}

/// Formats an event's message and fields into one line.
#[derive(Default)]
struct LineVisitor {
    line: String,
}

impl Visit for LineVisitor {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            if !self.line.is_empty() {
                self.line.insert(0, ' ');
            }
            self.line.insert_str(0, &format!("{value:?}"));
        } else {
            if !self.line.is_empty() {
                self.line.push(' ');
            }
            let _ = write!(self.line, "{}={value:?}", field.name());
        }
    }
}

fn format_event(event: &Event<'_>) -> String {
    let mut visitor = LineVisitor::default();
    event.record(&mut visitor);
    visitor.line
}

/// Forwards events to the foreign sink, if one is installed.
struct ForeignSinkLayer;

impl<S: Subscriber> Layer<S> for ForeignSinkLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let sink = match SINK.read() {
            Ok(guard) => guard.clone(),
            Err(_) => None,
        };
        let Some(sink) = sink else { return };
        if IN_SINK.with(Cell::get) {
            return;
        }
        let record = LogRecord {
            level: LogLevel::from_tracing(event.metadata().level()),
            target: event.metadata().target().to_owned(),
            line: format_event(event),
        };
        IN_SINK.with(|f| f.set(true));
        // A throwing or panicking sink must never take the SDK down.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.log(record)));
        IN_SINK.with(|f| f.set(false));
    }
}

/// Sends events to logcat through the `log` facade and `android_logger`.
#[cfg(target_os = "android")]
struct AndroidLayer;

#[cfg(target_os = "android")]
impl<S: Subscriber> Layer<S> for AndroidLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = match *event.metadata().level() {
            tracing::Level::ERROR => log::Level::Error,
            tracing::Level::WARN => log::Level::Warn,
            tracing::Level::INFO => log::Level::Info,
            tracing::Level::DEBUG => log::Level::Debug,
            tracing::Level::TRACE => log::Level::Trace,
        };
        let line = format_event(event);
        log::log!(target: event.metadata().target(), level, "{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Collect(Mutex<Vec<LogRecord>>);

    impl LogSink for Collect {
        fn log(&self, record: LogRecord) {
            // Logging from inside the sink must not recurse.
            tracing::error!("from inside the sink");
            self.0.lock().unwrap().push(record);
        }
    }

    struct Panicking;

    impl LogSink for Panicking {
        fn log(&self, _record: LogRecord) {
            panic!("sink bug");
        }
    }

    #[test]
    fn the_desktop_default_is_warn_until_init_logging_sets_a_level() {
        assert_eq!(LogLevel::platform_default(), LogLevel::Warn);
        init_default_logging();
        assert_eq!(current_level(), tracing::Level::WARN);
        init_logging(LogLevel::Debug);
        assert_eq!(current_level(), tracing::Level::DEBUG);
        // Creating another client (the implicit initialisation) keeps the app's choice.
        init_default_logging();
        assert_eq!(current_level(), tracing::Level::DEBUG);
        init_logging(LogLevel::Warn);
    }

    #[test]
    fn events_reach_the_foreign_sink_formatted_and_a_panicking_sink_is_survived() {
        let sink = Arc::new(Collect(Mutex::new(Vec::new())));
        let subscriber = Registry::default().with(ForeignSinkLayer);
        tracing::subscriber::with_default(subscriber, || {
            set_log_sink(Some(sink.clone()));
            tracing::warn!(
                step = "emailOtp",
                attempt = 2,
                "step failed after {} ms",
                40
            );
            set_log_sink(Some(Arc::new(Panicking)));
            tracing::info!("still alive");
            set_log_sink(None);
        });
        let records = sink.0.lock().unwrap();
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0].level, LogLevel::Warn);
        assert_eq!(
            records[0].line,
            "step failed after 40 ms step=\"emailOtp\" attempt=2"
        );
        assert!(records[0].target.starts_with("smart_enroll_ffi"));
    }
}
