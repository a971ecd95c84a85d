// Hand-written Kotlin adapters over the generated bindings (shipped in the AAR with them).
package com.smartenroll.sdk

import kotlin.contracts.ExperimentalContracts
import kotlin.contracts.contract
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * The session's states as a cold [Flow]: each collector first gets the current state (replayed
 * to every new collector), then every change, until it stops collecting (which unregisters its
 * observer). A failed automatic step shows as [EnrollState.Interrupted] (call `resume()`), so a
 * UI that only watches this stream never waits on `Processing` forever.
 *
 * The observer is registered the moment collection starts, in the collecting coroutine (no
 * hop to another coroutine first): a collector launched with `CoroutineStart.UNDISPATCHED`
 * before `start()` sees `NotStarted` first. States come from SDK threads and are buffered
 * without limit (none is dropped); use `.conflate()` if only the latest matters, and collect on
 * the dispatcher your UI needs.
 */
fun EnrollmentSession.states(): Flow<EnrollState> = flow {
    val channel = Channel<EnrollState>(Channel.UNLIMITED)
    val handle = observe(object : StateObserver {
        override fun onStateChanged(state: EnrollState) {
            channel.trySend(state)
        }
    })
    try {
        for (state in channel) emit(state)
    } finally {
        handle.cancel()
        handle.close()
        channel.close()
    }
}

/**
 * Whether the enrollment has ended (`Completed`, whatever the outcome). Smart-casts: after
 * `if (state.isTerminal())`, `state.result` is available.
 */
@OptIn(ExperimentalContracts::class)
fun EnrollState.isTerminal(): Boolean {
    contract { returns(true) implies (this@isTerminal is EnrollState.Completed) }
    return this is EnrollState.Completed
}

/** The result once the enrollment has ended, else `null`. */
val EnrollState.resultOrNull: EnrollResult?
    get() = (this as? EnrollState.Completed)?.result
