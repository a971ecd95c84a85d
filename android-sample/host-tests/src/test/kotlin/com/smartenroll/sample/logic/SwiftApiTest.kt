package com.smartenroll.sample.logic

import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File

/**
 * There is no Swift compiler on these machines, so this test does the part of type checking that
 * catches the likely mistakes in the iOS sample: every call it makes to a function or initialiser
 * of the generated Swift bindings uses argument labels that the declaration accepts, every
 * enum case it matches exists with that number of associated values, and every `switch` over an
 * enum of the bindings without a `default` names all its cases (Swift refuses a non-exhaustive
 * switch, so a new SDK error or state would otherwise break the Xcode build unnoticed).
 */
class SwiftApiTest {
    private data class Param(val label: String, val hasDefault: Boolean)

    private val generated: String by lazy {
        val path = System.getProperty("smartenroll.swiftBindings")
            ?: File(repoRoot, "target/bindings-samples/swift/SmartEnroll.swift").path
        val file = File(path)
        check(file.isFile) { "generated Swift bindings missing ($path): run scripts/test.sh (scripts/checks/40-samples.sh generates them)" }
        strip(file.readText())
    }

    private val sampleFiles: List<File> =
        File(repoRoot, "ios-sample/SmartEnrollSample").walkTopDown().filter { it.extension == "swift" }.toList()

    /** Source without comments and string literal contents (so neither is read as code). */
    private fun strip(source: String): String = source
        .replace(Regex("/\\*.*?\\*/", RegexOption.DOT_MATCHES_ALL), " ")
        .replace(Regex("//[^\n]*"), "")
        .replace(Regex("\"(?:\\\\.|[^\"\\\\\n])*\""), "\"\"")

    /** The text between the parenthesis at [open] and its match, split at top-level commas. */
    private fun arguments(text: String, open: Int): List<String> {
        var depth = 0
        val parts = mutableListOf<String>()
        val current = StringBuilder()
        var i = open
        while (i < text.length) {
            val c = text[i]
            when (c) {
                '(', '[', '{' -> { depth++; if (depth > 1) current.append(c) }
                ')', ']', '}' -> {
                    depth--
                    if (depth == 0) {
                        if (current.isNotBlank()) parts += current.toString().trim()
                        return parts
                    }
                    current.append(c)
                }
                ',' -> if (depth == 1) { parts += current.toString().trim(); current.clear() } else current.append(c)
                else -> current.append(c)
            }
            i++
        }
        error("unbalanced parentheses")
    }

    private fun params(text: String, open: Int): List<Param> = arguments(text, open).map { p ->
        Param(label = p.substringBefore(':').trim().split(Regex("\\s+")).first(), hasDefault = p.contains('='))
    }

    /** Labels of a call's arguments (null for an unlabelled one). */
    private fun callLabels(text: String, open: Int): List<String?> = arguments(text, open).map { a ->
        Regex("^(\\w+)\\s*:(?!:)").find(a)?.groupValues?.get(1)
    }

    private fun accepts(decl: List<Param>, call: List<String?>): Boolean {
        var d = 0
        for (label in call) {
            while (d < decl.size && decl[d].label != (label ?: "_")) {
                if (!decl[d].hasDefault) return false
                d++
            }
            if (d == decl.size) return false
            d++
        }
        return decl.drop(d).all { it.hasDefault }
    }

    private fun declarations(text: String, pattern: Regex): Map<String, List<List<Param>>> =
        pattern.findAll(text).groupBy({ it.groupValues[1] }) { m -> params(text, m.range.last) }

    private val sdkFuncs by lazy { declarations(generated, Regex("func (\\w+)\\s*\\(")) }
    private val sampleFuncs by lazy {
        sampleFiles.map { strip(it.readText()) }.flatMap { declarations(it, Regex("func (\\w+)\\s*\\(")).entries }
            .groupBy({ it.key }) { it.value }.mapValues { it.value.flatten() }
    }

    /** Initialisers of the generated structs and classes, by type name. */
    private val sdkInits by lazy {
        val out = mutableMapOf<String, MutableList<List<Param>>>()
        for (m in Regex("(?:public struct|open class) (\\w+)").findAll(generated)) {
            val start = m.range.last
            val end = Regex("\n(?:public struct|open class|public enum|public protocol|extension) ").find(generated, start)?.range?.first
                ?: generated.length
            val body = generated.substring(start, end)
            for (init in Regex("public (?:convenience )?init\\s*\\(").findAll(body)) {
                val p = params(body, init.range.last)
                if (p.none { it.label == "unsafeFromHandle" || it.label == "noHandle" }) {
                    out.getOrPut(m.groupValues[1]) { mutableListOf() } += p
                }
            }
        }
        out
    }

    /** The index of the parenthesis that closes the one at [open]. */
    private fun closing(text: String, open: Int): Int {
        var depth = 0
        for (i in open until text.length) {
            when (text[i]) {
                '(', '[', '{' -> depth++
                ')', ']', '}' -> if (--depth == 0) return i
            }
        }
        error("unbalanced parentheses")
    }

    /** Enum cases (of the generated bindings and of the sample) with their associated-value counts. */
    private fun enumCases(text: String): Map<String, Set<Int>> {
        val out = mutableMapOf<String, MutableSet<Int>>()
        // Declarations only (`case a, b(x: T), c = "raw"`), not patterns (`case let .a(x)`, `case .b`).
        for (m in Regex("(?m)^\\s*case (?!let\\b|var\\b)(?=\\w)").findAll(text)) {
            var p = m.range.last + 1
            while (true) {
                val name = Regex("\\w+").matchAt(text, p)?.value ?: break
                p += name.length
                var arity = 0
                if (text.getOrNull(p) == '(') {
                    arity = arguments(text, p).size
                    p = closing(text, p) + 1
                }
                out.getOrPut(name) { mutableSetOf() } += arity
                while (p < text.length && text[p] == ' ') p++
                if (text.getOrNull(p) == '=') {
                    while (p < text.length && text[p] != ',' && text[p] != '\n') p++
                }
                if (text.getOrNull(p) != ',') break
                p++
                while (p < text.length && text[p].isWhitespace()) p++
            }
        }
        return out
    }

    private companion object {
        /** Cases of Apple's enums the sample matches (AVAuthorizationStatus, UIDeviceOrientation). */
        val APPLE_CASES = setOf("authorized", "notDetermined", "denied", "restricted", "portrait",
            "portraitUpsideDown", "landscapeLeft", "landscapeRight", "faceUp", "faceDown", "unknown")
    }

    @Test
    fun everyCallIntoTheBindingsUsesDeclaredLabels() {
        val problems = mutableListOf<String>()
        var checked = 0
        for (file in sampleFiles) {
            val text = strip(file.readText())
            for (m in Regex("\\b(\\w+)\\s*\\(").findAll(text)) {
                val name = m.groupValues[1]
                // `x.name(` is a call on a receiver; `.name(` with nothing before the dot is an
                // enum case or static member written with the implicit type (not checked here).
                if (text.getOrNull(m.range.first - 1) == '.') {
                    val before = text.getOrNull(m.range.first - 2)
                    if (before == null || !(before.isLetterOrDigit() || before in ")]?!_")) continue
                }
                val prefix = text.substring(maxOf(0, m.range.first - 5), m.range.first)
                val isDeclaration = prefix.endsWith("func ") || prefix.endsWith("case ")
                if (isDeclaration) continue
                val candidates = (sdkFuncs[name].orEmpty() + sdkInits[name].orEmpty())
                if (candidates.isEmpty()) continue
                val labels = callLabels(text, m.range.last)
                checked++
                val all = candidates + sampleFuncs[name].orEmpty()
                if (all.none { accepts(it, labels) }) {
                    problems += "${file.name}: $name(${labels.joinToString { (it ?: "_") + ":" }}) matches no declaration " +
                        candidates.joinToString(" | ") { d -> "(" + d.joinToString { it.label + if (it.hasDefault) "=" else "" } + ")" }
                }
            }
        }
        assertTrue("the iOS sample calls the bindings ($checked calls checked)", checked >= 20)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }

    @Test
    fun everyMatchedEnumCaseExistsWithItsAssociatedValues() {
        val known = mutableMapOf<String, MutableSet<Int>>()
        for ((k, v) in enumCases(generated)) known.getOrPut(k) { mutableSetOf() } += v
        for (file in sampleFiles) for ((k, v) in enumCases(strip(file.readText()))) known.getOrPut(k) { mutableSetOf() } += v
        val problems = mutableListOf<String>()
        var checked = 0
        for (file in sampleFiles) {
            val text = strip(file.readText())
            for (m in Regex("case\\s+(?:let\\s+)?\\.(\\w+)(\\()?").findAll(text)) {
                val name = m.groupValues[1]
                val arity = if (m.groupValues[2].isEmpty()) 0 else arguments(text, m.range.last).size
                checked++
                val declared = known[name]
                if (name in APPLE_CASES) continue
                if (declared == null) {
                    problems += "${file.name}: .$name is no enum case"
                } else if (arity > 0 && arity !in declared) {
                    problems += "${file.name}: .$name with $arity values, declared with $declared"
                }
            }
        }
        assertTrue("the iOS sample matches enum cases ($checked checked)", checked >= 40)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }

    /** Case names of each enum declared in [text], by enum name. */
    private fun enumsByName(text: String): Map<String, Set<String>> {
        val out = mutableMapOf<String, Set<String>>()
        for (m in Regex("\\benum (\\w+)[^{]*\\{").findAll(text)) {
            val body = text.substring(m.range.last, closing(text, m.range.last) + 1)
            out[m.groupValues[1]] = enumCases(body).keys
        }
        return out
    }

    /**
     * The top-level patterns of the `switch` whose body opens at [open]: the case names matched
     * (`case .a, .b:`, `case let .c(x):`, `case .d(let y):`) and whether it has a `default`.
     */
    private fun switchArms(text: String, open: Int): Pair<Set<String>, Boolean> {
        val end = closing(text, open)
        val names = mutableSetOf<String>()
        var hasDefault = false
        var depth = 0
        var i = open
        while (i <= end) {
            when (text[i]) {
                '(', '[', '{' -> depth++
                ')', ']', '}' -> depth--
            }
            if (depth == 1 && (i == 0 || !text[i - 1].isLetterOrDigit())) {
                if (text.startsWith("default", i) && text.substring(i + 7).trimStart().startsWith(":")) hasDefault = true
                if (text.startsWith("case ", i)) {
                    var colon = i + 5
                    var d = 0
                    while (colon < end && !(d == 0 && text[colon] == ':')) {
                        when (text[colon]) { '(', '[' -> d++; ')', ']' -> d-- }
                        colon++
                    }
                    val patterns = text.substring(i + 5, colon)
                    for (p in Regex("(?:^|,)\\s*(?:let\\s+|var\\s+)?\\.(\\w+)").findAll(patterns)) names += p.groupValues[1]
                    if (Regex("(?:^|,)\\s*(?:let\\s+|var\\s+)?_\\s*(?:,|$)").containsMatchIn(patterns)) hasDefault = true
                    i = colon
                }
            }
            i++
        }
        return names to hasDefault
    }

    /** The stored properties of a struct of the generated bindings. */
    private fun structFields(name: String): List<String> {
        val start = Regex("public struct $name\\b[^{]*\\{").find(generated)?.range?.last
            ?: error("struct $name not in the generated Swift")
        val body = generated.substring(start, closing(generated, start))
        // Stored properties only: `public var x: T`, not computed ones (`description: String {`).
        return Regex("(?m)^\\s*public var (\\w+)\\s*:[^{\\n]*$").findAll(body).map { it.groupValues[1] }.toList()
    }

    /**
     * Both apps show everything the SDK's review carries: every property of the generated
     * `Review` and the records in it is read by the iOS mapping (Logic/SdkMapping.swift) and by
     * the Android one (SdkMapping.kt), except the few listed here on purpose. A property the SDK
     * adds later fails this test until the review screens show it (or it is listed).
     */
    @Test
    fun bothReviewScreensReadEveryFieldOfTheSdkReview() {
        val notShown = mapOf(
            "Review" to setOf("registrationId"), // an internal id, not for the user
            "DocumentFields" to setOf("status"), // the validation's status, summed up by the checks
        )
        val swiftMapping = strip(File(repoRoot, "ios-sample/SmartEnrollSample/Logic/SdkMapping.swift").readText())
        val kotlinMapping = strip(File(repoRoot, "android-sample/logic/src/main/kotlin/com/smartenroll/sample/logic/SdkMapping.kt").readText())
        val problems = mutableListOf<String>()
        var checked = 0
        for (record in listOf("Review", "DocumentFields", "ScoreCheck", "CriminalCheck")) {
            val fields = structFields(record)
            assertTrue("$record has fields", fields.isNotEmpty())
            for (field in fields - notShown[record].orEmpty()) {
                checked++
                if (!Regex("\\.$field\\b").containsMatchIn(swiftMapping)) problems += "iOS SdkMapping.swift never reads $record.$field"
                if (!Regex("\\.$field\\b").containsMatchIn(kotlinMapping)) problems += "Android SdkMapping.kt never reads $record.$field"
            }
        }
        assertTrue("review fields checked: $checked", checked >= 15)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }

    @Test
    fun everySwitchOverABindingsEnumWithoutDefaultIsExhaustive() {
        val sdkEnums = enumsByName(generated).filterValues { it.isNotEmpty() }
        val sampleEnums = sampleFiles.flatMap { enumsByName(strip(it.readText())).values }
        val problems = mutableListOf<String>()
        var checked = 0
        for (file in sampleFiles) {
            val text = strip(file.readText())
            for (m in Regex("\\bswitch\\b[^{]*\\{").findAll(text)) {
                val (names, hasDefault) = switchArms(text, m.range.last)
                if (hasDefault || names.isEmpty()) continue
                // The enum switched over: the smallest one that has all the matched names. A
                // sample-defined enum that the switch covers completely settles it.
                if (sampleEnums.any { it.containsAll(names) && names.containsAll(it) }) continue
                val (enumName, cases) = sdkEnums.entries.filter { it.value.containsAll(names) }
                    .minByOrNull { it.value.size }?.toPair() ?: continue
                checked++
                val missing = cases - names
                if (missing.isNotEmpty()) {
                    val line = text.substring(0, m.range.first).count { it == '\n' } + 1
                    problems += "${file.name}:$line: switch over $enumName misses ${missing.sorted().joinToString { ".$it" }}"
                }
            }
        }
        assertTrue("the iOS sample switches over the bindings' enums ($checked checked)", checked >= 5)
        assertTrue(problems.joinToString("\n"), problems.isEmpty())
    }
}
