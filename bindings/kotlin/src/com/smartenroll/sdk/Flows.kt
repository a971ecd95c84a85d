// Hand-written Kotlin adapters over the generated bindings (shipped in the AAR with them).
package com.smartenroll.sdk

import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.buffer
import kotlinx.coroutines.flow.callbackFlow

/**
 * The session's states as a cold [Flow]: the current state first, then every change, until the
 * collector stops (which unregisters the observer). States come from SDK threads; collect them
 * on the dispatcher you want (e.g. `flowOn`/`collect` in a `lifecycleScope`). No state is
 * dropped (unbounded buffer); use `.conflate()` if only the latest matters.
 */
fun EnrollmentSession.states(): Flow<EnrollState> = callbackFlow {
    val handle = observe(object : StateObserver {
        override fun onStateChanged(state: EnrollState) {
            trySend(state)
        }
    })
    awaitClose {
        handle.cancel()
        handle.close()
    }
}.buffer(Channel.UNLIMITED)

/** Whether the enrollment has ended (`Completed`, whatever the outcome). */
val EnrollState.isTerminal: Boolean
    get() = this is EnrollState.Completed
