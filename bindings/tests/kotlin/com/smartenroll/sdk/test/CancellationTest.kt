package com.smartenroll.sdk.test

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.InsecureHttp
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/**
 * Cancellation, against a loopback "black hole" server that never answers, so the calls are
 * really in flight when cancelled.
 */
class CancellationTest {
    private fun blackHoleConfig(hole: BlackHole) = ClientConfig(
        baseUrl = hole.url,
        allowInsecureHttp = InsecureHttp.Loopback,
        requestTimeoutMs = 60_000L,
        maxRetries = 0,
    )

    @Test
    fun cancellingTheCoroutineDropsTheRustCall(): Unit = runBlocking {
        BlackHole().use { hole ->
            SmartEnrollClient(blackHoleConfig(hole)).use { client ->
                val job = launch(Dispatchers.Default) {
                    client.newEnrollment(client.fetchFlowConfig("0123456789abcdef01234567"), SignUpData(email = Fixtures.email())).close()
                    fail("the black hole never answers")
                }
                assertTrue("the request reached the server", hole.awaitAccepted())
                job.cancel()
                withTimeout(10_000) { job.join() }
                assertTrue(job.isCancelled)
                // The Rust task was aborted: its HTTP connection gets closed.
                withTimeout(10_000) { while (hole.closedByPeer.get() == 0) kotlinx.coroutines.delay(20) }
            }
        }
    }

    @Test
    fun sessionCancelStopsTheOperationInFlightWithCancelled(): Unit = runBlocking {
        // A real session, parked at the e-mail code...
        val sandbox = Sandbox.shared
        val projectId = sandbox.createProject(fullKyc = false)
        val snapshot = SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = Fixtures.email())).use { s ->
                assertTrue(s.start() is EnrollState.AwaitingEmailCode)
                s.snapshot()
            }
        }
        // ...restored against the black hole, so the next call hangs until cancelled.
        BlackHole().use { hole ->
            SmartEnrollClient(blackHoleConfig(hole)).use { client ->
                client.restoreEnrollment(snapshot).use { session ->
                    val call = async(Dispatchers.Default) { runCatching { session.submitEmailCode("123456") } }
                    assertTrue("the request reached the server", hole.awaitAccepted())
                    session.cancel()
                    val outcome = withTimeout(10_000) { call.await() }
                    val e = outcome.exceptionOrNull()
                    assertTrue("expected Cancelled, got $outcome", e is SmartEnrollException.Cancelled)
                    // Nothing was lost: still waiting for the code, and the session still works.
                    assertTrue(session.state() is EnrollState.AwaitingEmailCode)
                    assertTrue(session.snapshot().isNotEmpty())
                }
            }
        }
    }
}
