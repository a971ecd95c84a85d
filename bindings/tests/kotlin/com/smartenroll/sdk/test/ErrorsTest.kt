package com.smartenroll.sdk.test

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.ErrorCategory
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** Every failure is a typed SmartEnrollException subclass, and none carries personal data. */
class ErrorsTest {
    private val sandbox = Sandbox.shared

    private inline fun <reified T : Throwable> expect(block: () -> Unit): T {
        try {
            block()
        } catch (e: Throwable) {
            if (e is T) return e
            throw AssertionError("expected ${T::class.simpleName}, got $e", e)
        }
        fail("expected ${T::class.simpleName}, nothing was thrown")
        throw IllegalStateException("unreachable")
    }

    @Test
    fun plainHttpToANonLoopbackHostIsAConfigError() {
        val e = expect<SmartEnrollException.Config> {
            SmartEnrollClient(ClientConfig(baseUrl = "http://example.com")).close()
        }
        assertTrue(e.reason.contains("plain HTTP"))
        expect<SmartEnrollException.Config> { SmartEnrollClient(ClientConfig(baseUrl = "not a url")).close() }
    }

    @Test
    fun unsetClientSettingsTakeTheCoresDefaultsAndBadOnesAreConfigErrors() {
        val base = ClientConfig(baseUrl = "https://api.example.com")
        assertEquals(null, base.connectTimeoutMs)
        assertEquals(null, base.maxRetries)
        SmartEnrollClient(base).close()
        SmartEnrollClient(base.copy(connectTimeoutMs = 2_000L, requestTimeoutMs = 30_000L, maxRetries = 0)).close()
        for (bad in listOf(base.copy(connectTimeoutMs = 0L), base.copy(requestTimeoutMs = -1L), base.copy(maxRetries = -1))) {
            val e = expect<SmartEnrollException.Config> { SmartEnrollClient(bad).close() }
            assertTrue(e.message!!, e.message!!.startsWith("configuration error: "))
        }
    }

    @Test
    fun malformedPinsAndRootCertificatesAreConfigErrors() {
        val https = ClientConfig(baseUrl = "https://127.0.0.1:9")
        // Defaults: no pins, no extra roots.
        assertTrue(https.pinnedPublicKeys.isEmpty() && https.extraRootCertificatesPem.isEmpty())
        val wellFormed = "sha256/" + java.util.Base64.getEncoder().encodeToString(ByteArray(32))
        SmartEnrollClient(https.copy(pinnedPublicKeys = listOf(wellFormed))).close()
        for (bad in listOf("garbage", "sha256/AAAA", wellFormed.removePrefix("sha256/"))) {
            val e = expect<SmartEnrollException.Config> {
                SmartEnrollClient(https.copy(pinnedPublicKeys = listOf(wellFormed, bad))).close()
            }
            assertTrue(e.reason, e.reason.contains("pinned_public_keys[1]"))
        }
        val pem = expect<SmartEnrollException.Config> {
            SmartEnrollClient(https.copy(extraRootCertificatesPem = listOf("not a certificate"))).close()
        }
        assertTrue(pem.reason, pem.reason.contains("extra_root_certificates_pem[0]"))
    }

    @Test
    fun signUpDataPrintsRedactedButKeepsItsValues() {
        val data = SignUpData(email = "ana.secret@example.com", phone = "3001234567", countryCode = "+57", fullName = "Ana Secreta")
        val printed = "$data"
        assertEquals("SignUpData(<redacted>)", printed)
        for (pii in listOf("ana.secret", "3001234567", "Secreta")) {
            assertFalse("toString() hides $pii", printed.contains(pii))
        }
        assertEquals("ana.secret@example.com", data.email)
        assertEquals(data, data.copy())
        assertFalse(data == data.copy(email = "other@example.com"))
    }

    @Test
    fun badSignUpInputIsInvalidInputWithoutTheValue(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        SmartEnrollClient(sandbox.config).use { client ->
            val e = expect<SmartEnrollException.InvalidInput> {
                runBlocking { client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = "ana.secret-at-example")).close() }
            }
            assertEquals("email", e.field)
            assertFalse("no personal data in the error", e.toString().contains("ana.secret"))
            expect<SmartEnrollException.NotFound> {
                runBlocking { client.newEnrollment(client.fetchFlowConfig("0123456789abcdef01234567"), SignUpData(email = Fixtures.email())).close() }
            }
        }
    }

    @Test
    fun messagesAreTheRustErrorsTextAndTheTypedFieldsStay(): Unit = runBlocking {
        // Built in Kotlin: the message still comes from Rust's Display.
        assertEquals("the one-time code does not match", SmartEnrollException.OtpMismatch().message)
        val rate = SmartEnrollException.RateLimited("otp_resend_cooldown", 42_000L)
        assertEquals("rate limited (otp_resend_cooldown); retry after 42000 ms", rate.message)
        assertEquals(42_000L, rate.retryAfterMs)
        assertEquals(ErrorCategory.RATE_LIMITED, rate.category())
        // Thrown by the SDK: the typed fields and the same text; toString() keeps the class.
        SmartEnrollClient(sandbox.config).use { client ->
            val e = expect<SmartEnrollException.NotFound> {
                runBlocking { client.fetchFlowConfig("0123456789abcdef01234567") }
            }
            assertTrue(e.code.isNotEmpty())
            assertEquals("not found (${e.code})", e.message)
            assertEquals(ErrorCategory.NOT_FOUND, e.category())
            assertTrue(e.toString(), e.toString().startsWith("com.smartenroll.sdk.SmartEnrollException\$NotFound: not found ("))
        }
        val server = SmartEnrollException.Server(503, "service_unavailable")
        assertEquals(503, server.status)
        assertEquals("server error 503 (service_unavailable)", server.message)
    }

    @Test
    fun wrongCodeIsOtpMismatchAndTheRightOneStillWorks(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email)).use { session ->
                assertTrue(session.start() is EnrollState.AwaitingEmailCode)
                val right = sandbox.latestCode(email)
                val wrong = if (right == "000000") "111111" else "000000"
                val e = expect<SmartEnrollException.OtpMismatch> { runBlocking { session.submitEmailCode(wrong) } }
                assertFalse(e.toString().contains(wrong))
                assertEquals("the one-time code does not match", e.message)
                assertEquals(ErrorCategory.OTP_MISMATCH, e.category())
                assertTrue(session.state() is EnrollState.AwaitingEmailCode)
                assertFalse(session.submitEmailCode(right) is EnrollState.AwaitingEmailCode)
            }
        }
    }

    @Test
    fun callsOutOfOrderAreInvalidState(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = Fixtures.email())).use { session ->
                expect<SmartEnrollException.InvalidState> { runBlocking { session.submitSelfie(Fixtures.selfie) } }
                expect<SmartEnrollException.InvalidState> { runBlocking { session.confirm() } }
            }
        }
    }

    @Test
    fun failedLivenessIsATypedErrorWithTheScore(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email("liveness-fail")
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email)).use { session ->
                var state = session.start()
                state = session.submitEmailCode(sandbox.latestCode(email))
                while (state is EnrollState.AwaitingDocument) {
                    state = session.submitDocument(Fixtures.document(state.side.name), state.acceptedCategories.first())
                }
                assertTrue("at the selfie: $state", state is EnrollState.AwaitingSelfie)
                val e = expect<SmartEnrollException.LivenessFailed> { runBlocking { session.submitSelfie(Fixtures.selfie) } }
                assertTrue(e.score != null && e.score!! < 0.65)
                val after = session.state()
                assertTrue("attempt counted: $after", after is EnrollState.AwaitingSelfie && after.attemptsLeft < 3)
            }
        }
    }

    @Test
    fun aDamagedSnapshotIsInvalidInputAndNothingIsLost(): Unit = runBlocking {
        SmartEnrollClient(sandbox.config).use { client ->
            val e = expect<SmartEnrollException.InvalidInput> { client.restoreEnrollment("{\"version\": 1, \"garbage\": true").close() }
            assertEquals("snapshot", e.field)
            val v = expect<SmartEnrollException.InvalidInput> { client.restoreEnrollment("{\"version\": 999}").close() }
            assertTrue(v.reason.contains("version"))
        }
    }
}
