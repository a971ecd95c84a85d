package com.smartenroll.sdk.test

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.InsecureHttp
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

/**
 * A real sandbox server (`smart-enroll serve --dev`) on a free loopback port with its own SQLite
 * data dir, started for the tests and stopped at the end. Projects and flows are created through
 * its admin API with plain HTTP (java.net.http) and the preset client token; one-time codes are
 * read from the dev outbox.
 */
class Sandbox private constructor(
    private val process: Process,
    private val dataDir: File,
    val baseUrl: String,
) : AutoCloseable {
    private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()

    val config: ClientConfig
        get() = ClientConfig(baseUrl = baseUrl, allowInsecureHttp = InsecureHttp.Loopback)

    companion object {
        private const val CLIENT_TOKEN = "kotlin-host-tests-client-token"

        val shared: Sandbox by lazy { start().also { s -> Runtime.getRuntime().addShutdownHook(Thread { s.close() }) } }

        fun start(): Sandbox {
            val bin = System.getenv("SMART_ENROLL_BIN")
                ?: error("SMART_ENROLL_BIN is not set: run scripts/checks/30-bindings-kotlin.sh (or scripts/test.sh)")
            check(File(bin).canExecute()) { "$bin is missing: run scripts/test.sh (it builds smart-enroll-cli)" }
            val dataDir = Files.createTempDirectory("smart-enroll-kotlin-tests").toFile()
            val pb = ProcessBuilder(bin, "serve", "--bind", "127.0.0.1:0", "--data-dir", dataDir.path, "--dev")
            pb.environment()["SMART_ENROLL_CLIENT_TOKEN"] = CLIENT_TOKEN
            pb.environment()["RUST_LOG"] = "warn"
            // Its log goes to a file (printed by the check script when a test fails).
            val log = File(System.getenv("SMART_ENROLL_SANDBOX_LOG") ?: File(dataDir, "sandbox.log").path)
            pb.redirectError(ProcessBuilder.Redirect.appendTo(log))
            val process = pb.start()
            val reader = BufferedReader(InputStreamReader(process.inputStream))
            val first = reader.readLine()
                ?: error("sandbox exited before printing its address (exit ${process.waitFor()})")
            val url = Regex("""listening on (http://\S+)""").find(first)?.groupValues?.get(1)
                ?: error("unexpected first line from the sandbox (expected its address): $first")
            // Keep draining its output so it never blocks on a full pipe.
            Thread { reader.useLines { lines -> lines.forEach { } } }.apply { isDaemon = true }.start()
            return Sandbox(process, dataDir, url)
        }
    }

    private fun send(method: String, path: String, body: String?, token: String?): Pair<Int, String> {
        val b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20))
        if (token != null) b.header("Authorization", "Bearer $token")
        if (body != null) {
            b.header("Content-Type", "application/json")
            b.method(method, HttpRequest.BodyPublishers.ofString(body))
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody())
        }
        val r = http.send(b.build(), HttpResponse.BodyHandlers.ofString())
        return r.statusCode() to r.body()
    }

    private fun idOf(json: String): String =
        Regex(""""_id"\s*:\s*"([^"]+)"""").find(json)?.groupValues?.get(1) ?: error("no _id in $json")

    /** Creates a project and an active onboarding flow; returns the project id. */
    fun createProject(fullKyc: Boolean, emailGateway: String = "mailgun", phoneGateway: String = "none"): String =
        createProjectAndFlow(fullKyc, emailGateway, phoneGateway).first

    /**
     * Creates a project and an active onboarding flow; returns the project and flow ids.
     * [signUpForm], [document] and [liveness] replace the flow's whole `signUpForm`, `document`
     * and `liveness` settings objects (JSON) when given.
     */
    fun createProjectAndFlow(
        fullKyc: Boolean,
        emailGateway: String = "mailgun",
        phoneGateway: String = "none",
        signUpForm: String? = null,
        document: String? = null,
        liveness: String? = null,
    ): Pair<String, String> {
        val (status, body) = send(
            "POST", "/v2/projects",
            """{"name":"Kotlin host test","allowedCountries":["Colombia"],"contactEmail":"owner@example.com",
               "privacyUrl":"https://example.com/privacy","termsAndConditionsUrl":"https://example.com/terms"}""",
            CLIENT_TOKEN,
        )
        check(status in 200..299) { "create project: $status $body" }
        val projectId = idOf(body)
        val mode = if (fullKyc) "mandatory" else "optional"
        val flow = """{"project":"$projectId","type":"onboarding","status":"active",
            "redirectUrl":"https://example.com/welcome",
            "onboardingSettings":{
              "steps":{"signUpForm":"mandatory","basicInformation":"skip","document":"$mode","liveness":"$mode","form":"skip"},
              "signUpForm":${signUpForm ?: """{"fullName":true,"email":true,"phone":${phoneGateway != "none"},"emailGateway":"$emailGateway","phoneGateway":"$phoneGateway"}"""},
              "document":${document ?: """{"useGovernmentID":true,"usePassport":true,"useLicense":true,"verifyNames":false,
                          "verifyCriminalHistory":false,"compareMinScore":0.8,"maxAttempts":3}"""},
              "liveness":${liveness ?: """{"livenessMinScore":0.65,"searchMinScore":0.8,"searchMode":"FAST","maxAttempts":3}"""}},
            "security":{"strategy":"none","source":"NONE"}}"""
        val (fs, fb) = send("POST", "/v2/project-flows", flow, CLIENT_TOKEN)
        check(fs in 200..299) { "create flow: $fs $fb" }
        return projectId to idOf(fb)
    }

    /**
     * What the integrator's backend does after `SessionExpired` or `AlreadyRegistered`:
     * `POST /v2/app-registrations/{id}/resend-link` with the client token; returns the new
     * registrant token (`data.token`).
     */
    fun resendLink(registrationId: String): String {
        val (status, body) = send("POST", "/v2/app-registrations/$registrationId/resend-link", """{"sendEmail":false}""", CLIENT_TOKEN)
        check(status == 200) { "resend-link: $status" }
        return Regex(""""token"\s*:\s*"([^"]+)"""").find(body)?.groupValues?.get(1) ?: error("no token in the resend-link answer")
    }

    /** The registration as the integrator's backend retrieves it (client token): the raw JSON. */
    fun registration(registrationId: String): String {
        val (status, body) = send("GET", "/v2/app-registrations/$registrationId", null, CLIENT_TOKEN)
        check(status == 200) { "retrieve registration: $status" }
        return body
    }

    /** The newest one-time code sent to `to` (e-mail or phone), from the dev outbox. */
    fun latestCode(to: String): String {
        val (status, body) = send("GET", "/sandbox/outbox?to=" + URLEncoder.encode(to, "UTF-8"), null, null)
        check(status == 200) { "outbox: $status $body" }
        return Regex(""""code"\s*:\s*"?(\d{4,8})""").find(body)?.groupValues?.get(1)
            ?: error("no code in the outbox for this recipient")
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly()
        dataDir.deleteRecursively()
    }
}
