package com.smartenroll.sample.logic

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.InsecureHttp
import com.smartenroll.sdk.SmartEnrollClient
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExecutorCoroutineDispatcher
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.junit.AfterClass
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.BeforeClass
import org.junit.Test
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicInteger

/**
 * The sample's controller driving whole enrollments through the real SDK (generated bindings,
 * JNA, the host-built library) against a real sandbox server, the way the apps do: it starts,
 * signs up, reads the codes from the sandbox outbox, uploads a document and the sample selfie,
 * and finishes, checking the screen after every step.
 */
class ControllerEnrollmentTest {
    /** One controller on its own single-threaded dispatcher (like the apps' main thread). */
    private class Harness(val controller: EnrollController, val client: SmartEnrollClient, private val dispatcher: ExecutorCoroutineDispatcher, private val scope: CoroutineScope) : AutoCloseable {
        /** Waits (up to 60 s) for a settled screen of type [T] that matches [predicate]. */
        inline fun <reified T : Screen> await(crossinline predicate: (T) -> Boolean = { true }): T = runBlocking {
            val screen = withTimeoutOrNull(60_000) {
                controller.screen.first { it is T && !it.busy && predicate(it) }
            }
            assertNotNull("timed out waiting for ${T::class.simpleName}; last screen: ${controller.screen.value}", screen)
            screen as T
        }

        /** Runs one controller action and waits until it has finished (its screen is set). */
        fun act(action: EnrollController.() -> Job) = runBlocking { controller.action().join() }

        override fun close() {
            controller.close()
            scope.cancel()
            dispatcher.close()
            client.close()
        }
    }

    private fun harness(
        projectId: String,
        flowId: String,
        store: SnapshotStore,
        server: Sandbox = sandbox,
        maxRetries: Int = 3,
        io: kotlinx.coroutines.CoroutineDispatcher = kotlinx.coroutines.Dispatchers.IO,
    ): Harness {
        val client = SmartEnrollClient(
            ClientConfig(
                baseUrl = server.baseUrl,
                allowInsecureHttp = InsecureHttp.Loopback,
                connectTimeoutMs = 2_000L,
                maxRetries = maxRetries,
            ),
        )
        val dispatcher = Executors.newSingleThreadExecutor { r -> Thread(r, "sample-main").apply { isDaemon = true } }
            .asCoroutineDispatcher()
        val scope = CoroutineScope(SupervisorJob() + dispatcher)
        val controller = EnrollController(client, EnrollTarget(projectId, flowId), store, scope, io)
        controller.start()
        return Harness(controller, client, dispatcher, scope)
    }

    private fun person(tags: String = ""): SignUpForm {
        val n = counter.incrementAndGet()
        val unique = "${System.nanoTime() % 1_000_000_000}$n"
        return SignUpForm(
            fullName = "Ana Example",
            email = "u$unique$tags@example.com",
            countryCode = "+57",
            phone = "3" + unique.takeLast(9).padStart(9, '0'),
        )
    }

    private fun phoneCode(form: SignUpForm, notEqualTo: String? = null): String =
        runCatching { sandbox.latestCode(form.countryCode + form.phone, notEqualTo) }
            .getOrElse { sandbox.latestCode(form.phone, notEqualTo) }

    /** Signs up and gets through both codes; returns on the first document screen. */
    private fun throughCodes(h: Harness, form: SignUpForm): Screen.Document {
        h.await<Screen.SignUp>()
        h.act { signUp(form) }
        h.await<Screen.EmailCode>()
        h.act { submitEmailCode(sandbox.latestCode(form.email)) }
        h.await<Screen.PhoneCode>()
        h.act { submitPhoneCode(phoneCode(form)) }
        return h.await<Screen.Document> { it.side == DocumentSide.FRONT }
    }

    @Test
    fun fullKycEnrollmentSurvivesAProcessKillAndEndsWithTheToken() {
        val (project, flow) = sandbox.setup("full")
        // The app's store: AES-GCM in a file (a software key stands in for the Keystore's).
        val dir = java.nio.file.Files.createTempDirectory("samples-store").toFile()
        val keys = SoftwareKeys()
        val store = EncryptedSnapshotStore(keys, AtomicFileStore(java.io.File(dir, "session.bin")))
        val form = person()

        val first = harness(project, flow, store)
        val signUp = first.await<Screen.SignUp>()
        // The preset's form, read from the flow: full name, e-mail and phone (code by SMS).
        assertEquals(SignUpFields(fullName = true, email = true, phone = true, phoneChannels = listOf(PhoneChannel.SMS)), signUp.fields)
        first.act { signUp(form) }
        val email = first.await<Screen.EmailCode>()
        assertFalse("the masked address hides the address", email.maskedEmail.contains(form.email.substringBefore('@')))
        assertTrue("resend waits", email.resend!!.secondsLeft(System.currentTimeMillis()) > 0)

        // A wrong code stays on the screen with a typed error the user can fix.
        val real = sandbox.latestCode(form.email)
        first.act { submitEmailCode(if (real == "000000") "111111" else "000000") }
        val wrong = first.await<Screen.EmailCode> { it.error != null }
        assertEquals(ErrorKind.OTP_MISMATCH, wrong.error!!.kind)
        assertEquals(RecoveryAction.FIX_INPUT, wrong.error!!.action)

        // Resending inside the cooldown: wait, with the server's retry-after.
        first.act { resendEmailCode() }
        val cooldown = first.await<Screen.EmailCode> { it.error != null }
        assertEquals(ErrorKind.RATE_LIMITED, cooldown.error!!.kind)
        assertEquals(RecoveryAction.WAIT, cooldown.error!!.action)
        assertTrue((cooldown.error!!.retryAfterSeconds ?: 0) > 0)

        // The process dies: a new controller, a new SDK client, a new store object reading the
        // same encrypted file with the same key.
        assertNotNull("the snapshot was stored", store.load())
        first.close()
        val reopened = EncryptedSnapshotStore(keys, AtomicFileStore(java.io.File(dir, "session.bin")))
        val second = harness(project, flow, reopened)
        val resumed = second.await<Screen.EmailCode>()
        assertEquals(email.maskedEmail, resumed.maskedEmail)
        assertNull(resumed.error)

        second.act { submitEmailCode(sandbox.latestCode(form.email)) }
        second.await<Screen.PhoneCode>()
        second.act { submitPhoneCode(phoneCode(form)) }
        val front = second.await<Screen.Document> { it.side == DocumentSide.FRONT }
        assertFalse(front.optional)
        assertTrue(front.categories.containsAll(listOf("government_id", "passport", "driver_license")))
        second.act { submitDocument("government_id", documentJpeg("FRONT")) }
        second.await<Screen.Document> { it.side == DocumentSide.BACK }
        // The back's barcode, as the live screen read it (documentIdentity of the captured page):
        // the holder's names, a number and a birth date the sandbox's OCR does not have.
        val barcode = DocumentIdentity(
            givenNames = "ANA", surnames = "EXAMPLE", documentNumber = "0000000001", dateOfBirth = "1950-02-03",
        )
        second.act { submitDocument("government_id", documentJpeg("BACK"), barcode) }
        val selfie = second.await<Screen.Selfie>()
        assertFalse(selfie.optional)
        // The selfie the prefilter captured from camera frames, as the app uploads it.
        second.act { submitSelfie(SelfieCaptureTest.capturedSelfie) }
        // The review before the end: the scores next to the flow's minimums (setup's "full"
        // preset: liveness 0.65, face match 0.8), all passed.
        val review = second.await<Screen.Review>().review
        assertEquals(65, review.liveness!!.minPercent)
        assertTrue("liveness passed: $review", review.liveness!!.passed && review.liveness!!.percent > 65)
        assertEquals(80, review.compare!!.minPercent)
        assertTrue("face match passed: $review", review.compare!!.passed)
        assertFalse(review.expectedToFail)
        // What the server read from the document (the sandbox's OCR echoes the sign-up name).
        val fields = review.documentFields.associate { it.labelKey to it.value }
        assertEquals("ANA EXAMPLE", fields["review_field_names"])
        assertTrue("document number read: ${fields.keys}", !fields["review_field_document_number"].isNullOrBlank())
        assertTrue(Regex("\\d{4}-\\d{2}-\\d{2}").matches(fields["review_field_date_of_birth"] ?: ""))
        assertTrue(Regex("\\d{4}-\\d{2}-\\d{2}").matches(fields["review_field_expiration_date"] ?: ""))
        assertEquals(ReviewSummary.FIELD_KEYS, review.documentFields.map { it.labelKey })
        assertFalse("the screen never prints the OCR values", second.controller.screen.value.toString().contains("ANA EXAMPLE"))
        // Where the server's OCR and the barcode disagree (the names agree).
        assertEquals(
            listOf("review_field_document_number", "review_field_date_of_birth"),
            review.disagreements.map { it.labelKey },
        )
        assertEquals(fields["review_field_document_number"], review.disagreements[0].server)
        assertEquals("0000000001", review.disagreements[0].document)
        assertEquals("1950-02-03", review.disagreements[1].document)
        assertTrue(review.documentCodeCompared)
        assertFalse(second.controller.screen.value.toString().contains("0000000001"))
        second.act { confirm() }
        val result = second.await<Screen.Result>()
        assertEquals(Outcome.COMPLETED, result.outcome)
        assertTrue("a final token", result.token.length > 20)
        val redirect = result.redirectUrl!!
        assertTrue(redirect, redirect.startsWith("https://example.com/welcome?") && redirect.contains("token="))

        // "New enrollment": the stored session is gone, the form is empty.
        second.act { restart() }
        val fresh = second.await<Screen.SignUp>()
        assertEquals(SignUpForm(), fresh.form)
        assertNull(reopened.load())
        second.close()
        dir.deleteRecursively()
    }

    /** A snapshot store whose every call fails the way a broken AndroidKeyStore does. */
    private class ThrowingStore(private val clearFails: Boolean) : SnapshotStore {
        val threads = java.util.Collections.synchronizedList(mutableListOf<String>())
        val clears = AtomicInteger()
        val saves = AtomicInteger()

        override fun load(): String? {
            threads += Thread.currentThread().name
            throw java.security.ProviderException("Keystore operation failed")
        }

        override fun save(snapshot: String) {
            threads += Thread.currentThread().name
            saves.incrementAndGet()
            throw IllegalStateException("Keystore key invalidated")
        }

        override fun clear() {
            threads += Thread.currentThread().name
            clears.incrementAndGet()
            if (clearFails) throw java.io.IOException("read-only file system")
        }
    }

    @Test
    fun anySnapshotStoreFailureDeletesTheSnapshotAndStartsFreshOffTheMainThread() {
        val (project, flow) = sandbox.setup("full")
        for (clearFails in listOf(false, true)) {
            val store = ThrowingStore(clearFails)
            val io = Executors.newSingleThreadExecutor { r -> Thread(r, "sample-io").apply { isDaemon = true } }
                .asCoroutineDispatcher()
            harness(project, flow, store, io = io).use { h ->
                // The load failed: the snapshot is deleted and the user starts fresh, no crash.
                val signUp = h.await<Screen.SignUp>()
                assertNull(signUp.error)
                assertTrue("the snapshot was deleted", store.clears.get() >= 1)
                // Saving fails on every state change: the enrollment goes on, and the old
                // snapshot is deleted each time (it must not resume an earlier step).
                val form = person()
                h.act { signUp(form) }
                h.await<Screen.EmailCode>()
                // Saves run in the background, in order: wait (bounded) for the first ones.
                val deadline = System.currentTimeMillis() + 10_000
                while ((store.saves.get() < 1 || store.clears.get() < 2) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20)
                }
                assertTrue(store.saves.get() >= 1)
                assertTrue(store.clears.get() >= 2)
                h.act { submitEmailCode(sandbox.latestCode(form.email)) }
                h.await<Screen.PhoneCode>()
                // Every store call ran on the IO dispatcher, never on the UI thread.
                assertEquals("clearFails=$clearFails", setOf("sample-io"), store.threads.toSet())
            }
            io.close()
        }
    }

    @Test
    fun invalidInputKeepsTheFormAndStartsNothing() {
        val (project, flow) = sandbox.setup("full")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            h.await<Screen.SignUp>()
            val bad = person().copy(email = "not-an-email")
            h.act { signUp(bad) }
            val screen = h.await<Screen.SignUp> { it.error != null }
            assertEquals(ErrorKind.INVALID_INPUT, screen.error!!.kind)
            assertEquals(RecoveryAction.FIX_INPUT, screen.error!!.action)
            assertEquals("what was typed is kept", bad, screen.form)
            // Fixed: a new session starts with the corrected data.
            val good = person()
            h.act { signUp(good) }
            h.await<Screen.EmailCode>()
            assertNotNull(sandbox.latestCode(good.email))
        }
    }

    @Test
    fun optionalStepsCanBeSkippedAndKycCanBeSkippedAltogether() {
        val (project, flow) = sandbox.setup("basic")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            val doc = throughCodes(h, person())
            assertTrue(doc.optional)
            assertTrue(Decisions.canSkip(doc.optional, doc.busy))
            h.act { skipStep() }
            val selfie = h.await<Screen.Selfie>()
            assertTrue(selfie.optional)
            h.act { skipStep() }
            h.await<Screen.Review>()
            h.act { confirm() }
            val result = h.await<Screen.Result>()
            assertTrue(result.outcome == Outcome.COMPLETED || result.outcome == Outcome.COMPLETED_WITHOUT_KYC)
            assertTrue(result.token.isNotBlank())
        }
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            val doc = throughCodes(h, person())
            assertTrue("basic flow: KYC can be skipped", doc.canSkipKyc)
            h.act { skipKyc() }
            val result = h.await<Screen.Result>()
            assertEquals(Outcome.COMPLETED_WITHOUT_KYC, result.outcome)
        }
    }

    @Test
    fun aFailedLivenessCheckOffersARetakeAndTheRetakeSucceeds() {
        val (project, flow) = sandbox.setup("full")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            throughCodes(h, person(tags = "+liveness-fail-once"))
            h.act { submitDocument("passport", documentJpeg("PASSPORT")) }
            val before = h.await<Screen.Selfie>()
            h.act { submitSelfie(sampleSelfie()) }
            val failed = h.await<Screen.Selfie> { it.error != null }
            assertEquals(ErrorKind.LIVENESS_FAILED, failed.error!!.kind)
            assertEquals(RecoveryAction.RETAKE_PHOTO, failed.error!!.action)
            assertTrue(Decisions.retakeSelfie(failed.error!!))
            assertEquals(before.attemptsLeft - 1, failed.attemptsLeft)
            h.act { submitSelfie(sampleSelfie()) }
            h.await<Screen.Review>()
            h.act { confirm() }
            assertEquals(Outcome.COMPLETED, h.await<Screen.Result>().outcome)
        }
    }

    @Test
    fun whenEverySelfieFailsTheUserRetakesUntilTheEnrollmentEndsAsFailed() {
        val (project, flow) = sandbox.setup("full")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            throughCodes(h, person(tags = "+liveness-fail"))
            h.act { submitDocument("passport", documentJpeg("PASSPORT")) }
            var attemptsLeft = h.await<Screen.Selfie>().attemptsLeft
            var retakes = 0
            while (true) {
                h.act { submitSelfie(SelfieCaptureTest.capturedSelfie) }
                val screen = h.controller.screen.value
                if (screen is Screen.Result) {
                    // Out of attempts: a terminal outcome, not an error.
                    assertEquals(Outcome.FAILED, screen.outcome)
                    assertFalse("the token never shows in logs", screen.toString().contains(screen.token))
                    break
                }
                val selfie = screen as Screen.Selfie
                assertEquals(ErrorKind.LIVENESS_FAILED, selfie.error!!.kind)
                assertEquals(RecoveryAction.RETAKE_PHOTO, selfie.error!!.action)
                assertEquals(attemptsLeft - 1, selfie.attemptsLeft)
                attemptsLeft = selfie.attemptsLeft
                retakes++
                assertTrue("attempts run out", retakes <= 5)
            }
            assertTrue("at least one retake was offered", retakes >= 1)
        }
    }

    @Test
    fun aNetworkFailureKeepsTheCodeAndTryAgainRepeatsTheAction() {
        // A sandbox of its own, which this test stops and starts again.
        Sandbox.start().use { own ->
            val (project, flow) = own.setup("full")
            // No automatic retries in the SDK, so the failure reaches the screen at once.
            harness(project, flow, InMemorySnapshotStore(), server = own, maxRetries = 0).use { h ->
                val form = person()
                h.await<Screen.SignUp>()
                h.act { signUp(form) }
                h.await<Screen.EmailCode>()
                val code = own.latestCode(form.email)

                own.stop()
                h.act { submitEmailCode(code) }
                val offline = h.await<Screen.EmailCode> { it.error != null }
                assertEquals(ErrorKind.NETWORK, offline.error!!.kind)
                assertEquals(RecoveryAction.RETRY, offline.error!!.action)

                // Back online: "Try again" repeats the submission of the same code.
                own.restart()
                h.act { retry() }
                h.await<Screen.PhoneCode>()
            }
        }
    }

    @Test
    fun theUserPicksThePhoneChannelWhenTheFlowOffersBoth() {
        val (project, _) = sandbox.setup("basic")
        val flow = sandbox.createFlow(project, phoneGateway = "both", document = "skip", liveness = "skip")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            val form = person()
            h.await<Screen.SignUp>()
            h.act { signUp(form) }
            h.await<Screen.EmailCode>()
            h.act { submitEmailCode(sandbox.latestCode(form.email)) }
            val choice = h.await<Screen.PhoneChannelChoice>()
            assertEquals(listOf(PhoneChannel.SMS, PhoneChannel.WHATSAPP), choice.channels.sorted())
            h.act { choosePhoneChannel(PhoneChannel.WHATSAPP) }
            val phone = h.await<Screen.PhoneCode>()
            assertEquals(PhoneChannel.WHATSAPP, phone.channel)
            assertFalse("the masked phone hides the number", phone.maskedPhone.contains(form.phone))
            h.act { submitPhoneCode(phoneCode(form)) }
            // No KYC step in this flow: straight to the end.
            val next = runBlocking {
                withTimeoutOrNull(60_000) {
                    h.controller.screen.first { !it.busy && (it is Screen.Review || it is Screen.Result) }
                }
            }
            if (next is Screen.Review) h.act { confirm() }
            val result = h.await<Screen.Result>()
            assertTrue(result.outcome == Outcome.COMPLETED || result.outcome == Outcome.COMPLETED_WITHOUT_KYC)
        }
    }

    @Test
    fun theSignUpFormShowsAndChecksOnlyWhatTheFlowAsksFor() {
        val (project, _) = sandbox.setup("basic")
        val flow = sandbox.createFlow(
            project, phoneGateway = "whatsapp", document = "skip", liveness = "skip",
            signUpForm = """{"fullName":false,"firstName":true,"lastName":true,"email":false,"phone":true,
                "showTermsAndConditions":true,"showPrivacyNotice":false,"emailGateway":"none","phoneGateway":"whatsapp"}""",
        )
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            val signUp = h.await<Screen.SignUp>()
            assertEquals(
                SignUpFields(
                    fullName = false, firstName = true, lastName = true, email = false, phone = true,
                    phoneChannels = listOf(PhoneChannel.WHATSAPP), termsAndConditions = true, privacyNotice = false,
                    // The project's terms page (`smart-enroll setup` sets it), linked from the
                    // form; no privacy link since the flow does not show the notice.
                    termsUrl = "https://example.com/terms", privacyUrl = null,
                ),
                signUp.fields,
            )
            // The e-mail is not asked for: a malformed one is neither checked nor sent.
            val base = person()
            val typed = base.copy(fullName = "", firstName = "Ana", lastName = "", email = "not-an-email", acceptedTerms = true)
            h.act { signUp(typed) }
            val missing = h.await<Screen.SignUp> { it.error != null }
            assertEquals(ErrorKind.INVALID_INPUT, missing.error!!.kind)
            assertEquals("lastName", missing.error!!.field)
            assertEquals("what was typed is kept", typed, missing.form)
            h.act { signUp(typed.copy(lastName = "Example", acceptedTerms = false)) }
            assertEquals("terms", h.await<Screen.SignUp> { it.error != null }.error!!.field)
            // Nothing was started: no code went out.
            assertTrue(runCatching { sandbox.latestCode(base.countryCode + base.phone) }.isFailure)

            h.act { signUp(typed.copy(lastName = "Example")) }
            // No e-mail step; the phone code goes by WhatsApp, as the flow's gateway says.
            val phone = h.await<Screen.PhoneCode>()
            assertEquals(PhoneChannel.WHATSAPP, phone.channel)
            h.act { submitPhoneCode(phoneCode(base)) }
            val next = runBlocking {
                withTimeoutOrNull(60_000) {
                    h.controller.screen.first { !it.busy && (it is Screen.Review || it is Screen.Result) }
                }
            }
            assertNotNull("after the phone code: the end; last screen ${h.controller.screen.value}", next)
        }
    }

    @Test
    fun theChannelPickedOnTheFormAnswersTheChannelQuestion() {
        val (project, _) = sandbox.setup("basic")
        val flow = sandbox.createFlow(project, phoneGateway = "both", document = "skip", liveness = "skip")
        harness(project, flow, InMemorySnapshotStore()).use { h ->
            val signUp = h.await<Screen.SignUp>()
            assertEquals(listOf(PhoneChannel.SMS, PhoneChannel.WHATSAPP), signUp.fields.phoneChannels)
            val form = person().copy(phoneChannel = PhoneChannel.WHATSAPP)
            h.act { signUp(form) }
            h.await<Screen.EmailCode>()
            h.act { submitEmailCode(sandbox.latestCode(form.email)) }
            // Straight to the code: the channel screen is not shown again.
            val phone = h.await<Screen.PhoneCode>()
            assertEquals(PhoneChannel.WHATSAPP, phone.channel)
        }
    }

    @Test
    fun anUnknownProjectOrAnInactiveFlowCannotStart() {
        harness("0123456789abcdef01234567", "0123456789abcdef01234567", InMemorySnapshotStore()).use { h ->
            val fatal = h.await<Screen.Fatal>()
            assertEquals(ErrorKind.CONFIGURATION, fatal.error.kind)
        }
        val (project, _) = sandbox.setup("basic")
        val draft = sandbox.createFlow(project, phoneGateway = "sms", document = "skip", liveness = "skip", status = "draft")
        harness(project, draft, InMemorySnapshotStore()).use { h ->
            assertEquals(ErrorKind.CONFIGURATION, h.await<Screen.Fatal>().error.kind)
        }
    }

    @Test
    fun aDamagedSnapshotStartsOverQuietlyAndAnExpiredOneSaysSo() {
        val (project, flow) = sandbox.setup("full")
        // A real snapshot, taken after signing up.
        val store = InMemorySnapshotStore()
        val snapshot = harness(project, flow, store).use { h ->
            h.await<Screen.SignUp>()
            h.act { signUp(person()) }
            h.await<Screen.EmailCode>()
            store.load()!!
        }

        val damaged = InMemorySnapshotStore().apply { save(snapshot.take(snapshot.length / 2)) }
        harness(project, flow, damaged).use { h ->
            val screen = h.await<Screen.SignUp>()
            assertNull("nothing to tell the user", screen.error)
            assertNull(damaged.load())
        }

        // The same snapshot with its registrant token's exp claim in the past.
        val jwt = Regex("eyJ[A-Za-z0-9_-]+\\.(eyJ[A-Za-z0-9_-]+)\\.[A-Za-z0-9_-]+").find(snapshot)!!
        val payload = String(java.util.Base64.getUrlDecoder().decode(jwt.groupValues[1]))
        val expired = payload.replace(Regex("\"exp\"\\s*:\\s*\\d+"), "\"exp\":1000000000")
        assertTrue(expired != payload)
        val encoded = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(expired.toByteArray())
        val old = InMemorySnapshotStore().apply { save(snapshot.replace(jwt.groupValues[1], encoded)) }
        harness(project, flow, old).use { h ->
            val screen = h.await<Screen.SignUp> { it.error != null }
            assertEquals(ErrorKind.SESSION_EXPIRED, screen.error!!.kind)
            assertNull(old.load())
        }
    }

    companion object {
        private val counter = AtomicInteger()
        private lateinit var sandbox: Sandbox

        @BeforeClass
        @JvmStatic
        fun startSandbox() {
            sandbox = Sandbox.start()
        }

        @AfterClass
        @JvmStatic
        fun stopSandbox() {
            sandbox.close()
        }
    }
}
