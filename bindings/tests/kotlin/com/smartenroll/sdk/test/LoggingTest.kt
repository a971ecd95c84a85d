package com.smartenroll.sdk.test

import com.smartenroll.sdk.LogLevel
import com.smartenroll.sdk.LogRecord
import com.smartenroll.sdk.LogSink
import com.smartenroll.sdk.setLogSink
import com.smartenroll.sdk.testHooksPanicAsync
import com.smartenroll.sdk.testHooksThreadName
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.concurrent.CopyOnWriteArrayList

class LoggingTest {
    private class Collecting : LogSink {
        val records = CopyOnWriteArrayList<LogRecord>()
        val threads = CopyOnWriteArrayList<String>()
        override fun log(record: LogRecord) {
            records.add(record)
            threads.add(testHooksThreadName())
        }
    }

    @Test
    fun rustLogsReachTheForeignSinkFromRustThreads(): Unit = runBlocking {
        val sink = Collecting()
        setLogSink(sink)
        try {
            // The runtime logs an error when a task panics.
            runCatching { testHooksPanicAsync() }
            val records = sink.records.toList()
            val threads = sink.threads.toList()
            // Logged inside the task, on a Rust runtime thread:
            val inTask = records.indexOfFirst { it.level == LogLevel.WARN && it.line.contains("about to panic") }
            assertTrue("the in-task record arrived: $records", inTask >= 0)
            assertTrue(threads[inTask], threads[inTask].startsWith("smart-enroll-rt"))
            assertTrue(records[inTask].target.startsWith("smart_enroll_ffi"))
            // Logged by the runtime wrapper once the panic was caught:
            assertTrue(records.any { it.level == LogLevel.ERROR && it.line.contains("panicked") })
        } finally {
            setLogSink(null)
        }
    }

    @Test
    fun aThrowingSinkNeverBreaksTheSdk(): Unit = runBlocking {
        setLogSink(object : LogSink {
            override fun log(record: LogRecord) = throw IllegalStateException("sink failure")
        })
        try {
            val r = runCatching { testHooksPanicAsync() }
            assertTrue(r.exceptionOrNull() is com.smartenroll.sdk.SmartEnrollException.Internal)
        } finally {
            setLogSink(null)
        }
    }
}
