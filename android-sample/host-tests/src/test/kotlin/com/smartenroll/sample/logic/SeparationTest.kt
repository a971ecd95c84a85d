package com.smartenroll.sample.logic

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * The logic stays apart from the frameworks, and the two apps' logic stays the same: the Swift
 * logic (which cannot be compiled here) must list the same error kinds and guidance keys as the
 * Kotlin logic that these tests run.
 */
class SeparationTest {
    private val kotlinLogic = File(repoRoot, "android-sample/logic/src/main/kotlin")
    private val swiftLogic = File(repoRoot, "ios-sample/SmartEnrollSample/Logic")

    @Test
    fun kotlinLogicImportsNoAndroidFramework() {
        val files = kotlinLogic.walkTopDown().filter { it.extension == "kt" }.toList()
        assertTrue(files.size >= 8)
        for (f in files) {
            val imports = f.readLines().filter { it.startsWith("import ") }
            val framework = imports.filter { it.startsWith("import android.") || it.startsWith("import androidx.") }
            assertTrue("${f.name} imports $framework", framework.isEmpty())
        }
    }

    @Test
    fun swiftLogicImportsNoUiFramework() {
        val files = swiftLogic.listFiles { f -> f.extension == "swift" }!!.toList()
        assertTrue(files.size >= 8)
        val allowed = setOf("Foundation", "Combine", "SmartEnroll")
        for (f in files) {
            val modules = f.readLines().mapNotNull { Regex("^import (\\w+)").find(it)?.groupValues?.get(1) }
            assertTrue("${f.name} imports ${modules - allowed}", allowed.containsAll(modules))
        }
    }

    @Test
    fun swiftLogicHasTheSameErrorKindsAndGuidanceKeys() {
        val decisions = File(swiftLogic, "Decisions.swift").readText()
        val enumBody = decisions.substringAfter("public enum ErrorKind").substringBefore("}")
        val swiftKinds = enumBody.lines().map { it.trim() }.filter { it.startsWith("case ") }.flatMap { line ->
            val raw = Regex("=\\s*\"([a-z_]+)\"").find(line)?.groupValues?.get(1)
            raw?.let { listOf(it) } ?: line.removePrefix("case ").split(",").map { it.trim() }
        }
        assertEquals(ErrorKind.entries.map { it.name.lowercase() }, swiftKinds)

        val guidance = File(swiftLogic, "Guidance.swift").readText()
        val list = guidance.substringAfter("public let guidanceKeys: [String] = [").substringBefore("]")
        val swiftKeys = Regex("\"([a-z_]+)\"").findAll(list).map { it.groupValues[1] }.toList()
        assertEquals(Guidance.KEYS, swiftKeys)

        val review = File(swiftLogic, "Review.swift").readText()
        val fieldList = review.substringAfter("public let reviewFieldKeys: [String] = [").substringBefore("]")
        val swiftFields = Regex("\"([a-z_]+)\"").findAll(fieldList).map { it.groupValues[1] }.toList()
        assertEquals(ReviewSummary.FIELD_KEYS, swiftFields)
        val swiftCriminal = review.substringAfter("public enum CriminalCheckResult").substringBefore("}")
            .lines().map { it.trim() }.filter { it.startsWith("case ") }.map { it.removePrefix("case ") }
        assertEquals(listOf("clear", "recordFound", "assessing"), swiftCriminal)
        assertEquals(listOf("CLEAR", "RECORD_FOUND", "ASSESSING"), CriminalCheckResult.entries.map { it.name })
    }
}
