package com.smartenroll.sdk.test

import com.smartenroll.sdk.InternalException
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.sdkVersion
import com.smartenroll.sdk.testHooksPanic
import com.smartenroll.sdk.testHooksPanicAsync
import com.smartenroll.sdk.testHooksRendezvous
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotEquals
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** The FFI's safety net: panics become exceptions, async work runs on several Rust threads. */
class RuntimeTest {
    @Test
    fun versionComesFromTheNativeLibrary() {
        assertTrue(sdkVersion().matches(Regex("""\d+\.\d+\.\d+.*""")))
    }

    @Test
    fun aSynchronousPanicIsAnExceptionNotACrash() {
        try {
            testHooksPanic()
            fail("expected an exception")
        } catch (e: InternalException) {
            assertTrue(e.message ?: "", (e.message ?: "").contains("deliberate panic"))
        }
        // The library still works after the panic.
        assertTrue(sdkVersion().isNotEmpty())
    }

    @Test
    fun aPanicInsideAnAsyncTaskIsATypedInternalError(): Unit = runBlocking {
        try {
            testHooksPanicAsync()
            fail("expected an exception")
        } catch (e: SmartEnrollException.Internal) {
            assertTrue(e.reason.contains("panic"))
        }
    }

    @Test
    fun asyncCallsRunInParallelOnDistinctRustThreads(): Unit = runBlocking {
        val callerThread = Thread.currentThread().name
        // Two calls that each block a Rust worker until both are inside: only a truly
        // multi-threaded runtime can let them meet.
        val reports = (1..2).map {
            async(Dispatchers.Default) { testHooksRendezvous(2u, 20_000uL) }
        }.awaitAll()
        reports.forEach {
            assertTrue("both calls met inside Rust", it.allMet)
            assertTrue(it.threadName, it.threadName.startsWith("smart-enroll-rt"))
            assertNotEquals(callerThread, it.threadName)
        }
        assertNotEquals("distinct Rust threads", reports[0].threadId, reports[1].threadId)
        // Alone, a rendezvous of two times out (proves the check can fail).
        val alone = testHooksRendezvous(2u, 200uL)
        assertEquals(false, alone.allMet)
    }
}
