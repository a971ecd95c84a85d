package com.smartenroll.sample.logic

import org.junit.Assert.assertEquals
import org.junit.Assert.assertTrue
import org.junit.Test
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/**
 * The localisation and the string wiring of both apps, checked from their sources: the Android
 * app's Compose code and the iOS views cannot be compiled on these machines, so a key used there
 * but missing from the resources would otherwise only show up on a device.
 */
class ResourcesTest {
    private val res = File(repoRoot, "android-sample/app/src/main/res")
    private val appSources = File(repoRoot, "android-sample/app/src/main/java")
    private val iosSources = File(repoRoot, "ios-sample/SmartEnrollSample")

    private fun strings(dir: String): Map<String, String> {
        val file = File(res, "$dir/strings.xml")
        val doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file)
        val nodes = doc.getElementsByTagName("string")
        return (0 until nodes.length).associate { i ->
            val e = nodes.item(i)
            e.attributes.getNamedItem("name").nodeValue to e.textContent
        }
    }

    private val en by lazy { strings("values") }
    private val es by lazy { strings("values-es") }

    private fun placeholders(text: String) = Regex("%(\\d+\\$)?[sd]").findAll(text).map { it.value }.sorted().toList()

    @Test
    fun englishAndSpanishHaveTheSameKeysAndPlaceholders() {
        assertEquals("keys only in one language", en.keys.sorted(), es.keys.sorted())
        for ((key, text) in en) {
            assertTrue("$key is empty", text.isNotBlank() && es.getValue(key).isNotBlank())
            assertEquals("placeholders of $key", placeholders(text), placeholders(es.getValue(key)))
        }
        assertTrue("Spanish must be translated", en.count { (k, v) -> es[k] == v } < 5)
    }

    @Test
    fun everyLogicKeyHasAString() {
        for (kind in ErrorKind.entries) {
            val key = Decisions.messageKeyFor(kind)
            assertTrue("$key missing", key in en && key in es)
        }
        for (name in Guidance.RESOURCE_NAMES) {
            assertTrue("$name missing", name in en && name in es)
        }
        for (key in ReviewSummary.FIELD_KEYS) {
            assertTrue("$key missing", key in en && key in es)
        }
    }

    @Test
    fun theAndroidMappingsCoverEveryKey() {
        val mapping = File(appSources, "com/smartenroll/sample/ui/Strings.kt").readText()
        for (kind in ErrorKind.entries) {
            assertTrue(
                "errorStringRes misses $kind",
                mapping.contains("ErrorKind.${kind.name} -> R.string.error_${kind.name.lowercase()}"),
            )
        }
        for (key in Guidance.KEYS) {
            assertTrue("guidanceStringRes misses $key", mapping.contains("\"$key\" -> R.string.guidance_$key"))
        }
        for (key in ReviewSummary.FIELD_KEYS) {
            assertTrue("reviewFieldStringRes misses $key", mapping.contains("\"$key\" -> R.string.$key"))
        }
        for (result in CriminalCheckResult.entries) {
            assertTrue(
                "criminalCheckStringRes misses $result",
                mapping.contains("CriminalCheckResult.${result.name} -> R.string.review_criminal_${result.name.lowercase()}"),
            )
        }
    }

    @Test
    fun everyStringTheAndroidAppReferencesExists() {
        val used = appSources.walkTopDown().filter { it.extension == "kt" }
            .flatMap { Regex("R\\.string\\.([a-z0-9_]+)").findAll(it.readText()).map { m -> m.groupValues[1] } }
            .toSet()
        assertTrue("the app references strings", used.size > 40)
        val missing = used - en.keys
        assertTrue("missing from strings.xml: $missing", missing.isEmpty())
        val manifest = File(repoRoot, "android-sample/app/src/main/AndroidManifest.xml").readText()
        for (m in Regex("@string/([a-z0-9_]+)").findAll(manifest)) {
            assertTrue("manifest uses ${m.groupValues[1]}", m.groupValues[1] in en)
        }
    }

    @Test
    fun everyKeyTheIosViewsUseIsLocalised() {
        fun localizable(lang: String): Set<String> =
            File(iosSources, "Resources/$lang.lproj/Localizable.strings").readLines()
                .mapNotNull { Regex("^\"([^\"]+)\" = ").find(it)?.groupValues?.get(1) }.toSet()
        val enIos = localizable("en")
        val esIos = localizable("es")
        assertEquals(en.keys, enIos)
        assertEquals(es.keys, esIos)
        val pattern = Regex("(?:Text|NSLocalizedString|LocalizedStringKey|title:)\\s*\\(?\\s*\"([a-z][a-z0-9_]*[a-z0-9])\"")
        val used = iosSources.walkTopDown().filter { it.extension == "swift" }
            .flatMap { pattern.findAll(it.readText()).map { m -> m.groupValues[1] } }
            .toSet()
        assertTrue("the iOS views use keys", used.size > 40)
        val missing = used - enIos
        assertTrue("missing from Localizable.strings: $missing", missing.isEmpty())
        // Keys the iOS views build at run time.
        for (kind in ErrorKind.entries) assertTrue(Decisions.messageKeyFor(kind) in enIos)
        for (name in Guidance.RESOURCE_NAMES) assertTrue(name in enIos)
        for (category in listOf("government_id", "passport", "driver_license")) {
            assertTrue("document_category_$category" in enIos)
        }
        for (key in ReviewSummary.FIELD_KEYS) assertTrue("$key in Localizable.strings", key in enIos)
    }

    @Test
    fun cleartextIsOnlyAllowedToTheEmulatorHostInDebug() {
        // The list comes from the Gradle property (default: the emulator's host alias), goes to
        // the SDK client's InsecureHttp.Hosts in debug only, and the debug network security
        // config is generated from the same list (nothing hand-written that could drift).
        val gradle = File(repoRoot, "android-sample/app/build.gradle.kts").readText()
        assertTrue(gradle.contains("setting(\"smartEnroll.cleartextHosts\", \"10.0.2.2\")"))
        assertTrue(gradle.contains("buildConfigField(\"String\", \"CLEARTEXT_HOSTS\", \"\\\"\\\"\")"))
        assertTrue(gradle.contains("<base-config cleartextTrafficPermitted=\\\"false\\\" />"))
        assertTrue(!File(repoRoot, "android-sample/app/src/debug/res/xml/network_security_config.xml").exists())
        val app = File(repoRoot, "android-sample/app/src/main/java/com/smartenroll/sample/SampleApplication.kt").readText()
        assertTrue(app.contains("cleartextHosts(BuildConfig.CLEARTEXT_HOSTS)") && app.contains("BuildConfig.DEBUG"))
        val main = File(repoRoot, "android-sample/app/src/main/AndroidManifest.xml").readText()
        assertTrue(main.contains("android:usesCleartextTraffic=\"false\""))
        assertTrue("no network config in main", !main.contains("networkSecurityConfig"))
        assertTrue(!File(repoRoot, "android-sample/app/src/main/res/xml/network_security_config.xml").exists())
    }
}
