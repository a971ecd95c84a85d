package com.smartenroll.sample.logic

import org.junit.internal.TextListener
import org.junit.runner.JUnitCore
import kotlin.system.exitProcess

/**
 * Runs the sample apps' host tests with JUnit 4, prints JUnit's report and one closing line
 * "Sample logic host tests: N passed, N failed", and exits non-zero when anything failed (or
 * nothing ran).
 */
fun main() {
    val core = JUnitCore()
    core.addListener(TextListener(System.out))
    val result = core.run(
        CountdownTest::class.java,
        GuidanceAnnouncerTest::class.java,
        DecisionsTest::class.java,
        RedactionTest::class.java,
        SignUpRulesTest::class.java,
        ReviewMappingTest::class.java,
        ResourcesTest::class.java,
        SeparationTest::class.java,
        SwiftApiTest::class.java,
        EncryptedSnapshotStoreTest::class.java,
        SelfieCaptureTest::class.java,
        DocumentDecisionsTest::class.java,
        ControllerEnrollmentTest::class.java,
    )
    val failed = result.failureCount
    println("Sample logic host tests: ${result.runCount - failed} passed, $failed failed")
    exitProcess(if (result.wasSuccessful() && result.runCount > 0) 0 else 1)
}
