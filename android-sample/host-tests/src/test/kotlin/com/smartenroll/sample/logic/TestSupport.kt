package com.smartenroll.sample.logic

import java.io.BufferedReader
import java.io.File
import java.io.InputStreamReader
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.concurrent.TimeUnit

/** A clock whose time only moves when the code under test sleeps or the test advances it. */
class ManualClock(start: Long = 1_700_000_000_000L) : Clock {
    @Volatile var now: Long = start

    override fun nowMillis(): Long = now

    /** Virtual time: sleeping advances the clock at once. */
    override suspend fun sleep(millis: Long) {
        now += millis
    }

    fun advance(millis: Long) {
        now += millis
    }
}

/** The repository root (the check script passes it; else found from the working directory). */
val repoRoot: File by lazy {
    System.getProperty("smartenroll.repo")?.let { File(it) }
        ?: generateSequence(File("").absoluteFile) { it.parentFile }
            .firstOrNull { File(it, "android-sample").isDirectory && File(it, "Cargo.toml").isFile }
        ?: error("repository root not found: run scripts/test.sh (scripts/checks/40-samples.sh)")
}

/**
 * A real sandbox server (`smart-enroll serve --dev`) on an ephemeral loopback port with a
 * temporary data dir, plus a project and flow created by the real `smart-enroll setup` command,
 * exactly as the README tells a developer to do.
 */
class Sandbox private constructor(
    private var process: Process,
    private val dataDir: File,
    val baseUrl: String,
) : AutoCloseable {
    /** Stops the server (SIGTERM) but keeps its data: requests now fail to connect. */
    fun stop() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
    }

    /** Starts the server again on the same address with the same data (after [stop]). */
    fun restart() {
        val bind = baseUrl.removePrefix("http://")
        val (proc, url) = spawn(bind, dataDir)
        check(url.trimEnd('/') == baseUrl) { "restarted on $url, not $baseUrl" }
        process = proc
    }

    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    /** Runs `smart-enroll setup --preset <preset> --json`; returns (projectId, flowId). */
    fun setup(preset: String): Pair<String, String> {
        val proc = ProcessBuilder(binary().path, "setup", "--api-url", baseUrl, "--preset", preset, "--json")
            .apply { environment()["SMART_ENROLL_CLIENT_TOKEN"] = CLIENT_TOKEN }
            .redirectErrorStream(true)
            .start()
        val output = proc.inputStream.bufferedReader().readText()
        check(proc.waitFor(60, TimeUnit.SECONDS) && proc.exitValue() == 0) { "smart-enroll setup failed: $output" }
        val project = Regex("\"projectId\"\\s*:\\s*\"([^\"]+)\"").find(output)?.groupValues?.get(1)
        val flow = Regex("\"flowId\"\\s*:\\s*\"([^\"]+)\"").find(output)?.groupValues?.get(1)
        check(project != null && flow != null) { "unexpected setup output: $output" }
        return project to flow
    }

    /**
     * Creates a flow with the given gateways and step modes through the API (client token), for
     * shapes the `setup` presets do not make; returns its id. [signUpForm] (JSON) replaces the
     * whole `signUpForm` settings object when given.
     */
    fun createFlow(
        projectId: String,
        phoneGateway: String,
        document: String,
        liveness: String,
        signUpForm: String? = null,
        status: String = "active",
    ): String {
        val body = """
            {"project":"$projectId","type":"onboarding","status":"$status",
             "redirectUrl":"https://example.com/welcome",
             "onboardingSettings":{
               "steps":{"signUpForm":"mandatory","basicInformation":"skip","document":"$document","liveness":"$liveness","form":"skip"},
               "signUpForm":${signUpForm ?: """{"fullName":true,"email":true,"phone":true,"emailGateway":"mailgun","phoneGateway":"$phoneGateway"}"""},
               "document":{"useGovernmentID":true,"usePassport":true,"useLicense":true,"verifyNames":false,
                           "verifyCriminalHistory":false,"compareMinScore":0.8,"maxAttempts":3},
               "liveness":{"livenessMinScore":0.65,"searchMinScore":0.8,"searchMode":"FAST","maxAttempts":3}},
             "security":{"strategy":"none","source":"NONE"}}
        """.trimIndent()
        val request = HttpRequest.newBuilder(URI("$baseUrl/v2/project-flows"))
            .header("Authorization", "Bearer $CLIENT_TOKEN")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build()
        val response = http.send(request, HttpResponse.BodyHandlers.ofString())
        check(response.statusCode() in 200..299) { "create flow answered ${response.statusCode()}: ${response.body()}" }
        return Regex("\"_id\"\\s*:\\s*\"([^\"]+)\"").find(response.body())?.groupValues?.get(1)
            ?: error("no flow id in ${response.body()}")
    }

    /** The newest one-time code the sandbox sent to [to] (its dev outbox), waiting up to 10 s. */
    fun latestCode(to: String, notEqualTo: String? = null): String {
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10)
        while (true) {
            val url = "$baseUrl/sandbox/outbox?to=" + URLEncoder.encode(to, Charsets.UTF_8)
            val response = http.send(HttpRequest.newBuilder(URI(url)).GET().build(), HttpResponse.BodyHandlers.ofString())
            check(response.statusCode() == 200) { "outbox answered ${response.statusCode()}" }
            val code = Regex("\"code\"\\s*:\\s*\"?(\\d{6})").find(response.body())?.groupValues?.get(1)
            if (code != null && code != notEqualTo) return code
            check(System.nanoTime() < deadline) { "no code in the outbox for this recipient" }
            Thread.sleep(100)
        }
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS)
        dataDir.deleteRecursively()
    }

    companion object {
        const val CLIENT_TOKEN = "samples-host-test-client-token"

        fun binary(): File {
            val path = System.getenv("SMART_ENROLL_BIN") ?: File(repoRoot, "target/debug/smart-enroll").path
            val file = File(path)
            check(file.canExecute()) {
                "the sandbox binary $path is missing: run scripts/test.sh (scripts/checks/40-samples.sh builds it)"
            }
            return file
        }

        fun start(): Sandbox {
            val dataDir = Files.createTempDirectory("samples-sandbox").toFile()
            val (process, url) = spawn("127.0.0.1:0", dataDir)
            return Sandbox(process, dataDir, url.trimEnd('/'))
        }

        private fun spawn(bind: String, dataDir: File): Pair<Process, String> {
            val process = ProcessBuilder(
                binary().path, "serve", "--bind", bind, "--data-dir", dataDir.path, "--dev",
            ).apply {
                environment()["SMART_ENROLL_CLIENT_TOKEN"] = CLIENT_TOKEN
                redirectError(ProcessBuilder.Redirect.DISCARD)
            }.start()
            val reader = BufferedReader(InputStreamReader(process.inputStream, Charsets.UTF_8))
            val first = reader.readLine()
            val url = first?.let { Regex("listening on (http://\\S+)").find(it)?.groupValues?.get(1) }
            if (url == null) {
                process.destroyForcibly()
                error("the sandbox did not start (first line: $first)")
            }
            // Never outlive the test JVM, whatever happens to the test.
            Runtime.getRuntime().addShutdownHook(Thread { process.destroyForcibly() })
            // Keep draining stdout so the server never blocks on a full pipe.
            Thread { reader.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
            return process to url
        }
    }
}

/** A JPEG of a synthetic ID card (the sandbox accepts any real image; OCR is derived from sign-up). */
fun documentJpeg(label: String): ByteArray {
    val image = java.awt.image.BufferedImage(1000, 630, java.awt.image.BufferedImage.TYPE_INT_RGB)
    val g = image.createGraphics()
    g.color = java.awt.Color(0xE8, 0xF0, 0xFA)
    g.fillRect(0, 0, 1000, 630)
    g.color = java.awt.Color(0x1F, 0x6F, 0xEB)
    g.fillRect(0, 0, 1000, 90)
    g.color = java.awt.Color.DARK_GRAY
    g.fillRect(60, 150, 260, 330)
    g.font = java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 40)
    g.drawString("SPECIMEN $label", 380, 220)
    g.dispose()
    val out = java.io.ByteArrayOutputStream()
    check(javax.imageio.ImageIO.write(image, "jpg", out)) { "no JPEG writer in this JVM" }
    return out.toByteArray()
}

/** The public-domain sample selfie shipped with the CLI (cli/assets/sample-selfie.jpg). */
fun sampleSelfie(): ByteArray {
    val file = File(repoRoot, "cli/assets/sample-selfie.jpg")
    check(file.isFile) { "cli/assets/sample-selfie.jpg is missing" }
    return file.readBytes()
}
