package com.smartenroll.sample.logic

/**
 * Decides when a guidance change is spoken by the screen reader (TalkBack / VoiceOver).
 *
 * The prefilter gives a guidance key on every camera frame (15–30 per second). Speaking each
 * change would flood the screen reader, so a key is announced only when it has been stable for
 * [stableMillis], differs from the last announced key, and at least [minGapMillis] have passed
 * since the last announcement. A capture is always announced at once.
 */
class GuidanceAnnouncer(
    private val clock: Clock,
    private val stableMillis: Long = 600,
    private val minGapMillis: Long = 2_000,
) {
    private var candidate: String? = null
    private var candidateSince = 0L
    private var lastAnnounced: String? = null
    private var lastAnnouncedAt = Long.MIN_VALUE / 2

    /**
     * Feeds the key of the latest frame; returns the key to announce now, or null.
     * [captured] marks the frame on which the prefilter captured the selfie.
     */
    fun onFrame(key: String, captured: Boolean = false): String? {
        val now = clock.nowMillis()
        if (captured) {
            return announce(key, now)
        }
        if (key != candidate) {
            candidate = key
            candidateSince = now
            return null
        }
        val stable = now - candidateSince >= stableMillis
        val gapOk = now - lastAnnouncedAt >= minGapMillis
        return if (stable && gapOk && key != lastAnnounced) announce(key, now) else null
    }

    /** Forgets the history (e.g. when the selfie screen is shown again for a retry). */
    fun reset() {
        candidate = null
        lastAnnounced = null
        lastAnnouncedAt = Long.MIN_VALUE / 2
    }

    private fun announce(key: String, now: Long): String {
        lastAnnounced = key
        lastAnnouncedAt = now
        candidate = key
        candidateSince = now
        return key
    }
}
