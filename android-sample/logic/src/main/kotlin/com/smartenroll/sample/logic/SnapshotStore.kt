package com.smartenroll.sample.logic

/**
 * Where the controller keeps the SDK's session snapshot (a versioned JSON document holding the
 * registrant token), so the app resumes after the process is killed. The Android app stores it
 * encrypted with an AndroidKeyStore AES-GCM key (`KeystoreSnapshotStore`), the iOS app in the
 * Keychain. Implementations must write atomically: a crash mid-write leaves the old snapshot or
 * the new one, never a mix.
 */
interface SnapshotStore {
    /** The stored snapshot, or null when there is none or it can no longer be read. */
    fun load(): String?

    fun save(snapshot: String)

    fun clear()
}

/** A store that keeps the snapshot in memory only (a session that must not survive the process). */
class InMemorySnapshotStore : SnapshotStore {
    @Volatile private var value: String? = null

    override fun load(): String? = value

    override fun save(snapshot: String) {
        value = snapshot
    }

    override fun clear() {
        value = null
    }
}
