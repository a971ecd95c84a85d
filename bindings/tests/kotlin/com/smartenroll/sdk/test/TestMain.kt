package com.smartenroll.sdk.test

import org.junit.internal.TextListener
import org.junit.runner.JUnitCore
import kotlin.system.exitProcess

/**
 * Runs every host test class with JUnit 4, prints JUnit's report plus one closing line
 * "Kotlin host tests: N passed, N failed", and exits non-zero when anything failed.
 */
fun main() {
    val core = JUnitCore()
    core.addListener(TextListener(System.out))
    val result = core.run(
        // First: it checks the library before anything has handed it the face detector's model.
        FaceModelTest::class.java,
        RuntimeTest::class.java,
        LoggingTest::class.java,
        EnrollmentTest::class.java,
        ReviewTest::class.java,
        ResumeTest::class.java,
        ErrorsTest::class.java,
        FlowConfigTest::class.java,
        CancellationTest::class.java,
        LivenessCaptureTest::class.java,
        DocumentCaptureTest::class.java,
        // Needs the document crate's detector, MRZ parser and side reader (issue 13).
        DocumentReadingTest::class.java,
        AppStyleTest::class.java,
        MemoryTest::class.java,
    )
    val failed = result.failureCount
    val passed = result.runCount - failed
    println("Kotlin host tests: $passed passed, $failed failed")
    exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
}
