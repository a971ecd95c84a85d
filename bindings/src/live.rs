//! Live-object accounting for the host tests. With the `test-hooks` feature every exported
//! object (and every foreign callback object Rust holds) counts itself while alive, so the
//! Kotlin tests can check that closing objects really frees them on the Rust side. Without the
//! feature [`Track`] is an empty marker and costs nothing.

#[cfg(feature = "test-hooks")]
use std::sync::atomic::{AtomicU64, Ordering};

/// What is counted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Client = 0,
    Session = 1,
    ObserverHandle = 2,
    ForeignObserver = 3,
    Capture = 4,
}

#[cfg(feature = "test-hooks")]
static LIVE: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

/// A field that counts its owner while it is alive (with `test-hooks`).
#[derive(Debug)]
pub(crate) struct Track(#[cfg(feature = "test-hooks")] Kind);

impl Track {
    pub(crate) fn new(kind: Kind) -> Self {
        #[cfg(feature = "test-hooks")]
        {
            LIVE[kind as usize].fetch_add(1, Ordering::SeqCst);
            Track(kind)
        }
        #[cfg(not(feature = "test-hooks"))]
        {
            let _ = kind;
            Track()
        }
    }
}

#[cfg(feature = "test-hooks")]
impl Drop for Track {
    fn drop(&mut self) {
        LIVE[self.0 as usize].fetch_sub(1, Ordering::SeqCst);
    }
}

/// The number of live objects of a kind.
#[cfg(feature = "test-hooks")]
pub(crate) fn live(kind: Kind) -> u64 {
    LIVE[kind as usize].load(Ordering::SeqCst)
}
