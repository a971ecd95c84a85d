package com.smartenroll.sdk.test

import com.smartenroll.sdk.CaptureConfig
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.LiveObjects
import com.smartenroll.sdk.LivenessCapture
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.StateObserver
import com.smartenroll.sdk.testHooksLiveObjects
import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.NativeLong
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * 10,002 native objects created and closed (3,334 × a client, a restored session and an
 * observer handle), twice checked:
 *  - exactly: Rust counts its live objects (`test-hooks`), and after `close()` every count is
 *    back where it started (and was up while the objects were open);
 *  - by resident memory: after warm-up, GC and `malloc_trim`, RSS must not grow by more than a
 *    generous 16 MB (the JVM heap is fixed and pre-touched, -Xms = -Xmx, -XX:+AlwaysPreTouch,
 *    so growth is native). A leaked client alone (its HTTP/TLS stack) would add far more.
 */
class MemoryTest {
    private interface LibC : Library {
        fun malloc_trim(pad: NativeLong): Int
    }

    private val libc: LibC = Native.load("c", LibC::class.java)

    private fun rssKb(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()

    /** Lets the JVM and glibc hand back what was freed, so RSS shows live memory. */
    private fun settle() {
        repeat(3) {
            System.gc()
            Thread.sleep(100)
        }
        libc.malloc_trim(NativeLong(0))
    }

    @Test
    fun tenThousandObjectsCreatedAndClosedAreReallyFreed(): Unit = runBlocking {
        val sandbox = Sandbox.shared
        val projectId = sandbox.createProject(fullKyc = false)
        val snapshot = SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = Fixtures.email())).use { s ->
                assertTrue(s.start() is EnrollState.AwaitingEmailCode)
                s.snapshot()
            }
        }
        val observer = object : StateObserver {
            override fun onStateChanged(state: EnrollState) {}
        }
        val baseline = testHooksLiveObjects()
        var whileOpen: LiveObjects? = null
        // One iteration = 3 native objects: a client, a restored session, an observer handle.
        fun cycle(probe: Boolean = false) {
            SmartEnrollClient(sandbox.config).use { client ->
                client.restoreEnrollment(snapshot).use { session ->
                    session.observe(observer).use { handle ->
                        if (probe) whileOpen = testHooksLiveObjects()
                        handle.cancel()
                    }
                    check(session.state() is EnrollState.AwaitingEmailCode)
                }
            }
        }
        repeat(500) { cycle() } // warm-up: runtime, allocator arenas, JIT
        settle()
        val before = rssKb()
        val iterations = 3_334
        repeat(iterations) { cycle(probe = it == iterations / 2) }
        settle()
        val after = rssKb()
        val growthKb = after - before

        val open = whileOpen!!
        assertEquals(baseline.clients + 1uL, open.clients)
        assertEquals(baseline.sessions + 1uL, open.sessions)
        assertEquals(baseline.observerHandles + 1uL, open.observerHandles)
        assertEquals(baseline.foreignObservers + 1uL, open.foreignObservers)
        assertEquals("every object freed on the Rust side", baseline, testHooksLiveObjects())

        println("MemoryTest: ${iterations * 3} objects created and closed; RSS $before kB -> $after kB (growth $growthKb kB)")
        assertTrue("native memory grew by $growthKb kB", growthKb < 16 * 1024)
    }

    @Test
    fun closedLivenessCapturesAreFreed() {
        val baseline = testHooksLiveObjects().captures
        repeat(20) {
            LivenessCapture(CaptureConfig()).use { assertEquals(baseline + 1uL, testHooksLiveObjects().captures) }
        }
        assertEquals(baseline, testHooksLiveObjects().captures)
    }

    @Test
    fun forgottenObjectsAreFreedByTheCleaner() {
        val sandbox = Sandbox.shared
        val baseline = testHooksLiveObjects().clients
        // Created and dropped without close(): only the cleaner (after GC) can free them.
        fun leakSome() = repeat(200) { SmartEnrollClient(sandbox.config) }
        leakSome()
        assertTrue(testHooksLiveObjects().clients >= baseline + 1uL)
        val deadline = System.nanoTime() + 20_000_000_000L
        while (testHooksLiveObjects().clients > baseline && System.nanoTime() < deadline) {
            System.gc()
            Thread.sleep(50)
        }
        assertEquals("the cleaner freed every forgotten client", baseline, testHooksLiveObjects().clients)
    }
}
