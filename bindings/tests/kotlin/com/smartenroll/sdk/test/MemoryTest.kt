package com.smartenroll.sdk.test

import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.StateObserver
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * 10,000 native objects created and closed (3,334 × a client, a restored session and an observer handle) with
 * no growth in native memory. The JVM runs with a fixed, pre-touched heap (-Xms = -Xmx,
 * -XX:+AlwaysPreTouch; see scripts/checks/30-bindings-kotlin.sh), so resident memory growth
 * after warm-up is native memory. A leak of even one client per iteration (its HTTP/TLS stack is
 * tens of KB) would add hundreds of MB; the bound is a generous 24 MB.
 */
class MemoryTest {
    private fun rssKb(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()

    @Test
    fun tenThousandObjectsCreatedAndClosedDoNotGrowNativeMemory(): Unit = runBlocking {
        val sandbox = Sandbox.shared
        val projectId = sandbox.createProject(fullKyc = false)
        val snapshot = SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(projectId, null, SignUpData(email = Fixtures.email())).use { s ->
                assertTrue(s.start() is EnrollState.AwaitingEmailCode)
                s.snapshot()
            }
        }
        val observer = object : StateObserver {
            override fun onStateChanged(state: EnrollState) {}
        }
        // One iteration = 3 native objects: a client, a restored session, an observer handle.
        fun cycle() {
            SmartEnrollClient(sandbox.config).use { client ->
                client.restoreEnrollment(snapshot).use { session ->
                    session.observe(observer).use { handle -> handle.cancel() }
                    check(session.state() is EnrollState.AwaitingEmailCode)
                }
            }
        }
        repeat(500) { cycle() } // warm-up: runtime, allocator arenas, JIT
        System.gc()
        val before = rssKb()
        val iterations = 3_334
        repeat(iterations) { cycle() }
        System.gc()
        val after = rssKb()
        val growthKb = after - before
        println("MemoryTest: ${iterations * 3} objects created and closed; RSS ${before} kB -> ${after} kB (growth ${growthKb} kB)")
        assertTrue("native memory grew by $growthKb kB", growthKb < 24 * 1024)
    }
}
