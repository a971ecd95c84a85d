package com.smartenroll.sdk.test

import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.Outcome
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/**
 * The resend-link recovery end to end: the registrant token expires or is refused
 * (`SessionExpired`), or the user signs up again (`AlreadyRegistered`); the integrator's backend
 * calls resend-link with the client token; the app restores its stored snapshot with the fresh
 * token (`restoreEnrollment(snapshot, freshToken)`) and completes the same registration.
 */
class ResumeTest {
    private val sandbox = Sandbox.shared

    private suspend fun complete(session: com.smartenroll.sdk.EnrollmentSession, email: String): EnrollState.Completed {
        val review = driveUntil(session, sandbox, email)
        assertTrue("at the review: $review", review is EnrollState.AwaitingReview)
        return session.confirm() as EnrollState.Completed
    }

    @Test
    fun anExpiredSessionResumesWithAFreshTokenFromResendLinkAndCompletes(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            // The app got to the document step, stored its snapshot and was killed for hours.
            var registrationId: String? = null
            val stored = client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { s ->
                assertEquals("no registration before start()", null, s.registrationId())
                val at = driveUntil(s, sandbox, email) { it is EnrollState.AwaitingDocument }
                assertTrue(at is EnrollState.AwaitingDocument)
                // The id the app hands to its backend for resend-link.
                registrationId = s.registrationId()
                Tokens.expired(s.snapshot())
            }
            assertEquals(Tokens.registrationIdOf(stored), registrationId)
            try {
                client.restoreEnrollment(stored).close()
                fail("an expired snapshot must not restore")
            } catch (e: SmartEnrollException.SessionExpired) {
                assertTrue(e.reason.isNotEmpty())
            }
            // The backend asks for a new token for this registration.
            val fresh = sandbox.resendLink(registrationId!!)
            client.restoreEnrollment(stored, freshToken = fresh).use { resumed ->
                val state = resumed.state()
                assertTrue("same step as before: $state", state is EnrollState.AwaitingDocument)
                assertEquals("the snapshot now holds the fresh token", fresh, Tokens.of(resumed.snapshot()))
                val done = complete(resumed, email)
                assertEquals(Outcome.COMPLETED, done.result.outcome)
                assertEquals(registrationId, done.result.registrationId)
                assertEquals(registrationId, resumed.registrationId())
            }
        }
    }

    @Test
    fun aTokenTheServerRefusesIsSessionExpiredAndAFreshOneContinuesFromTheSameStep(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            val snapshot = client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { s ->
                driveUntil(s, sandbox, email) { it is EnrollState.AwaitingDocument }
                s.snapshot()
            }
            // A token that is well formed and names this registration, but the server refuses it
            // (its signature no longer matches): only the server can tell.
            val refused = Tokens.forged(Tokens.of(snapshot)) { it.replace("\"appRegistrationId\"", "\"x\":1,\"appRegistrationId\"") }
            val again = client.restoreEnrollment(snapshot, freshToken = refused).use { session ->
                val doc = session.state() as EnrollState.AwaitingDocument
                try {
                    session.submitDocument(Fixtures.document("FRONT"), doc.acceptedCategories.first())
                    fail("the server must refuse the token")
                } catch (e: SmartEnrollException.SessionExpired) {
                    assertFalse("the error never shows the token", e.toString().contains(refused))
                }
                assertTrue("nothing lost: ${session.state()}", session.state() is EnrollState.AwaitingDocument)
                session.snapshot()
            }
            val fresh = sandbox.resendLink(Tokens.registrationIdOf(snapshot))
            client.restoreEnrollment(again, freshToken = fresh).use { resumed ->
                assertTrue(resumed.state() is EnrollState.AwaitingDocument)
                assertEquals(Outcome.COMPLETED, complete(resumed, email).result.outcome)
            }
        }
    }

    @Test
    fun signingUpAgainIsAlreadyRegisteredAndTheFirstRegistrationResumesWithAFreshToken(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            val first = client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { s ->
                assertTrue(s.start() is EnrollState.AwaitingEmailCode)
                s.snapshot()
            }
            // The user (on a new phone, say) signs up again with the same e-mail.
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { s ->
                try {
                    s.start()
                    fail("the same e-mail twice must be AlreadyRegistered")
                } catch (e: SmartEnrollException.AlreadyRegistered) {
                    assertEquals("email", e.field)
                }
            }
            // The backend recovers the first registration and hands its fresh token over.
            val fresh = sandbox.resendLink(Tokens.registrationIdOf(first))
            client.restoreEnrollment(first, freshToken = fresh).use { resumed ->
                assertTrue(resumed.state() is EnrollState.AwaitingEmailCode)
                val done = complete(resumed, email)
                assertEquals(Outcome.COMPLETED, done.result.outcome)
                assertEquals(Tokens.registrationIdOf(first), done.result.registrationId)
            }
        }
    }

    @Test
    fun aFreshTokenOfAnotherRegistrationOrNotATokenIsInvalidInputAndNeverShown(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        SmartEnrollClient(sandbox.config).use { client ->
            fun started(): Pair<String, String> {
                val email = Fixtures.email()
                val snap = runBlocking {
                    client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email)).use { s ->
                        s.start()
                        s.snapshot()
                    }
                }
                return snap to email
            }
            val (a, _) = started()
            val (b, _) = started()
            val tokenOfB = sandbox.resendLink(Tokens.registrationIdOf(b))
            val notStarted = client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = Fixtures.email())).use { it.snapshot() }
            for ((snapshot, token, why) in listOf(
                Triple(a, tokenOfB, "another registration"),
                Triple(a, "not-a-token", "not a registrant token"),
                Triple(a, "", "not a registrant token"),
                Triple(notStarted, tokenOfB, "no registration yet"),
            )) {
                try {
                    client.restoreEnrollment(snapshot, freshToken = token).close()
                    fail("must refuse: $why")
                } catch (e: SmartEnrollException.InvalidInput) {
                    assertEquals("freshToken", e.field)
                    assertTrue(e.reason, e.reason.contains(why))
                    assertTrue(token.isEmpty() || !e.toString().contains(token))
                }
            }
            // An expired fresh token is SessionExpired, as an expired snapshot is.
            val expiredToken = Tokens.of(Tokens.expired(a))
            try {
                client.restoreEnrollment(a, freshToken = expiredToken).close()
                fail("an expired fresh token must not restore")
            } catch (e: SmartEnrollException.SessionExpired) {
                assertFalse(e.toString().contains(expiredToken))
            }
        }
    }
}
