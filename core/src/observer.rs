//! State observers and analytics sinks, called synchronously (no runtime needed) from the
//! session. A panicking callback is caught and dropped so it cannot break the enrollment.

use crate::types::{AnalyticsEvent, EnrollState};
use std::sync::{Arc, Mutex, Weak};

/// Receives every state change. The current state is delivered at once on `observe`.
pub trait StateObserver: Send + Sync {
    /// Called with the new state. Keep it quick; do not call back into the session here.
    fn on_state_changed(&self, state: EnrollState);
}

/// Receives analytics events (no personal data in them).
pub trait AnalyticsSink: Send + Sync {
    /// Called with each event.
    fn on_event(&self, event: AnalyticsEvent);
}

type Entries = Vec<(u64, Arc<dyn StateObserver>)>;

#[derive(Default)]
pub(crate) struct Registry {
    next: Mutex<(u64, Entries)>,
}

impl Registry {
    pub(crate) fn add(&self, o: Arc<dyn StateObserver>) -> u64 {
        let mut g = self.next.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        let id = g.0;
        g.1.push((id, o));
        id
    }

    pub(crate) fn remove(&self, id: u64) {
        let mut g = self.next.lock().unwrap_or_else(|p| p.into_inner());
        g.1.retain(|(i, _)| *i != id);
    }

    pub(crate) fn notify(&self, state: &EnrollState) {
        let list: Vec<Arc<dyn StateObserver>> = {
            let g = self.next.lock().unwrap_or_else(|p| p.into_inner());
            g.1.iter().map(|(_, o)| o.clone()).collect()
        };
        for o in list {
            let s = state.clone();
            let r =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| o.on_state_changed(s)));
            if r.is_err() {
                tracing::warn!("a state observer panicked; ignored");
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.next.lock().map(|g| g.1.len()).unwrap_or(0)
    }
}

pub(crate) fn emit(sink: &Option<Arc<dyn AnalyticsSink>>, event: AnalyticsEvent) {
    if let Some(s) = sink {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.on_event(event)));
        if r.is_err() {
            tracing::warn!("an analytics sink panicked; ignored");
        }
    }
}

/// Keeps an observer registered. `cancel()` or dropping the handle unregisters it.
pub struct ObserverHandle {
    registry: Weak<Registry>,
    id: u64,
}

impl ObserverHandle {
    pub(crate) fn new(registry: &Arc<Registry>, id: u64) -> Self {
        Self {
            registry: Arc::downgrade(registry),
            id,
        }
    }

    /// Stops the observer. Idempotent.
    pub fn cancel(&self) {
        if let Some(r) = self.registry.upgrade() {
            r.remove(self.id);
        }
    }
}

impl Drop for ObserverHandle {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for ObserverHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObserverHandle")
            .field("id", &self.id)
            .finish()
    }
}
