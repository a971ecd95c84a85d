import Foundation

/// Decides when a guidance change is spoken by VoiceOver.
///
/// The prefilter gives a guidance key on every camera frame. A key is announced only when it has
/// been stable for `stableMillis`, differs from the last announced key, and at least
/// `minGapMillis` have passed since the last announcement. A capture is announced at once.
public final class GuidanceAnnouncer {
    private let clock: SampleClock
    private let stableMillis: Int64
    private let minGapMillis: Int64
    private var candidate: String?
    private var candidateSince: Int64 = 0
    private var lastAnnounced: String?
    private var lastAnnouncedAt: Int64 = Int64.min / 2

    public init(clock: SampleClock, stableMillis: Int64 = 600, minGapMillis: Int64 = 2000) {
        self.clock = clock
        self.stableMillis = stableMillis
        self.minGapMillis = minGapMillis
    }

    /// Feeds the key of the latest frame; returns the key to announce now, or nil.
    public func onFrame(key: String, captured: Bool = false) -> String? {
        let now = clock.nowMillis()
        if captured {
            return announce(key, now)
        }
        if key != candidate {
            candidate = key
            candidateSince = now
            return nil
        }
        let stable = now - candidateSince >= stableMillis
        let gapOk = now - lastAnnouncedAt >= minGapMillis
        return stable && gapOk && key != lastAnnounced ? announce(key, now) : nil
    }

    public func reset() {
        candidate = nil
        lastAnnounced = nil
        lastAnnouncedAt = Int64.min / 2
    }

    private func announce(_ key: String, _ now: Int64) -> String {
        lastAnnounced = key
        lastAnnouncedAt = now
        candidate = key
        candidateSince = now
        return key
    }
}
