package com.smartenroll.sdk.test

import com.smartenroll.sdk.AnalyticsEvent
import com.smartenroll.sdk.AnalyticsEventKind
import com.smartenroll.sdk.AnalyticsSink
import com.smartenroll.sdk.DocumentSide
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.EnrollmentSession
import com.smartenroll.sdk.Outcome
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.StateObserver
import com.smartenroll.sdk.StepKind
import com.smartenroll.sdk.states
import com.smartenroll.sdk.testHooksThreadName
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.onEach
import kotlinx.coroutines.flow.takeWhile
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.Assert.assertEquals
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.concurrent.CopyOnWriteArrayList

/** Whole enrollments against the real sandbox, through the generated bindings. */
class EnrollmentTest {
    private val sandbox = Sandbox.shared

    /** Answers every state until `Completed`; skips optional KYC steps when `skipOptional`. */
    private suspend fun drive(
        session: EnrollmentSession,
        email: String,
        phone: String?,
        skipOptional: Boolean,
    ): EnrollState.Completed {
        var state = if (session.state() is EnrollState.NotStarted) session.start() else session.state()
        var guard = 0
        while (state !is EnrollState.Completed) {
            check(guard++ < 30) { "no progress; stuck in $state" }
            state = when (val s = state) {
                is EnrollState.AwaitingEmailCode -> session.submitEmailCode(sandbox.latestCode(email))
                is EnrollState.AwaitingPhoneChannel -> session.choosePhoneChannel(s.channels.first())
                is EnrollState.AwaitingPhoneCode -> session.submitPhoneCode(sandbox.latestCode(phone!!))
                is EnrollState.AwaitingDocument ->
                    if (skipOptional && s.optional) session.skipStep()
                    else session.submitDocument(
                        Fixtures.document(if (s.side == DocumentSide.FRONT) "FRONT" else "BACK"),
                        s.acceptedCategories.first(),
                    )
                is EnrollState.AwaitingSelfie ->
                    if (skipOptional && s.optional) session.skipStep() else session.submitSelfie(Fixtures.selfie)
                is EnrollState.AwaitingReview -> session.confirm()
                is EnrollState.Processing, is EnrollState.Interrupted -> session.resume()
                is EnrollState.NotStarted -> session.start()
                is EnrollState.Completed -> s
            }
        }
        return state
    }

    @Test
    fun basicEnrollmentWithEmailCodeSkippingOptionalSteps(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { session ->
                assertTrue(session.state() is EnrollState.NotStarted)
                val done = drive(session, email, phone = null, skipOptional = true)
                assertEquals(Outcome.COMPLETED_WITHOUT_KYC, done.result.outcome)
                assertEquals("no KYC step, no review", null, done.result.review)
                assertTrue(done.result.token.reveal().isNotEmpty())
                assertTrue(done.result.registrationId.isNotEmpty())
                // The secret's toString never shows the token.
                assertTrue(!done.result.toString().contains(done.result.token.reveal()))
            }
        }
    }

    @Test
    fun fullKycEnrollmentWithPhoneDocumentBothSidesAndSelfie(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true, phoneGateway = "sms")
        val email = Fixtures.email()
        val phone = Fixtures.phone()
        val signUp = SignUpData(email = email, phone = phone, countryCode = "+57", fullName = "Ana Prueba")
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), signUp).use { session ->
                // Observer callbacks: record the thread of each one.
                val threads = CopyOnWriteArrayList<String>()
                val seen = CopyOnWriteArrayList<EnrollState>()
                val handle = session.observe(object : StateObserver {
                    override fun onStateChanged(state: EnrollState) {
                        threads.add(testHooksThreadName())
                        seen.add(state)
                    }
                })
                val events = CopyOnWriteArrayList<AnalyticsEvent>()
                session.setAnalyticsSink(object : AnalyticsSink {
                    override fun onEvent(event: AnalyticsEvent) { events.add(event) }
                })
                // A throwing observer must not break the enrollment.
                val bad = session.observe(object : StateObserver {
                    override fun onStateChanged(state: EnrollState) = throw IllegalStateException("observer bug")
                })
                // And the Flow adapter, collected concurrently until the terminal state.
                val subscribed = CompletableDeferred<Unit>()
                val flowStates = async(Dispatchers.Default) {
                    session.states().onEach { subscribed.complete(Unit) }
                        .takeWhile { it !is EnrollState.Completed }.toList()
                }
                withTimeout(10_000) { subscribed.await() }
                val done = withTimeout(120_000) { drive(session, email, phone, skipOptional = false) }
                assertEquals(Outcome.COMPLETED, done.result.outcome)
                assertNotNull(done.result.scores.livenessScore)
                assertEquals(true, done.result.scores.comparePassed)
                assertTrue(done.result.redirectUrl!!.reveal().startsWith("https://example.com/welcome?token="))

                // Analytics: steps completed, and the outcome at the end.
                assertTrue(events.any { it.kind == AnalyticsEventKind.STEP_COMPLETED && it.step == StepKind.EMAIL_OTP })
                assertTrue(events.any { it.kind == AnalyticsEventKind.STEP_COMPLETED && it.step == StepKind.LIVENESS })
                assertEquals(Outcome.COMPLETED, events.last { it.kind == AnalyticsEventKind.ENROLLMENT_FINISHED }.outcome)
                session.setAnalyticsSink(null)

                val kinds = seen.map { it::class.simpleName }
                for (k in listOf("AwaitingEmailCode", "AwaitingPhoneCode", "AwaitingDocument", "AwaitingSelfie", "Completed")) {
                    assertTrue("observer saw $k: $kinds", k in kinds)
                }
                // Both document sides were asked for.
                val sides = seen.filterIsInstance<EnrollState.AwaitingDocument>().map { it.side }.toSet()
                assertEquals(setOf(DocumentSide.FRONT, DocumentSide.BACK), sides)
                // The first call is synchronous (the caller's thread, which Rust sees unnamed or
                // as "main"); every later one comes from a Rust runtime thread.
                assertTrue(threads.drop(1).isNotEmpty())
                assertTrue("callbacks from Rust threads: $threads", threads.drop(1).all { it.startsWith("smart-enroll-rt") })

                val viaFlow = flowStates.await()
                assertTrue("Flow states: $viaFlow", viaFlow.first() is EnrollState.NotStarted)
                assertTrue("Flow states: $viaFlow", viaFlow.any { it is EnrollState.AwaitingSelfie })
                assertTrue("Flow states: $viaFlow", viaFlow.any { it is EnrollState.AwaitingReview })

                handle.cancel()
                bad.close()
                handle.close()
            }
        }
    }

    @Test
    fun theReadmeSampleEnrollsForReal(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        val result = com.example.onboarding.enroll(
            config = sandbox.config,
            projectId = projectId,
            signUp = SignUpData(email = email, fullName = "Ana Prueba"),
            askUser = { sandbox.latestCode(email) },
            documentFront = Fixtures.document("FRONT"),
            documentBack = Fixtures.document("BACK"),
            selfie = Fixtures.selfie,
            scope = this,
        )
        assertEquals(Outcome.COMPLETED, result.outcome)
        assertTrue(result.token.reveal().isNotEmpty())
    }

    @Test
    fun firstAndLastNameReachTheServerAsTyped(): Unit = runBlocking {
        val (projectId, _) = sandbox.createProjectAndFlow(
            fullKyc = false,
            signUpForm = """{"fullName":false,"firstName":true,"lastName":true,"email":true,"phone":false,
                "emailGateway":"mailgun","phoneGateway":"none"}""",
        )
        val email = Fixtures.email()
        // Two-word first and last names: a server that split a joined full name would get them wrong.
        val signUp = SignUpData(email = email, firstName = "Ana María", lastName = "Pérez Gómez")
        assertEquals("SignUpData(<redacted>)", signUp.toString())
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), signUp).use { session ->
                assertTrue(session.start() is EnrollState.AwaitingEmailCode)
                val stored = sandbox.registration(Tokens.registrationIdOf(session.snapshot()))
                assertTrue("first name stored as typed", Regex(""""firstName"\s*:\s*"Ana María"""").containsMatchIn(stored))
                assertTrue("last name stored as typed", Regex(""""lastName"\s*:\s*"Pérez Gómez"""").containsMatchIn(stored))
            }
        }
    }

    @Test
    fun snapshotAndRestoreContinueTheSameEnrollment(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            val snapshot = client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email)).use { session ->
                assertTrue(session.start() is EnrollState.AwaitingEmailCode)
                session.snapshot()
            }
            // The "app" was killed; a new session continues from the snapshot.
            client.restoreEnrollment(snapshot).use { restored ->
                assertTrue(restored.state() is EnrollState.AwaitingEmailCode)
                val done = drive(restored, email, null, skipOptional = true)
                assertEquals(Outcome.COMPLETED_WITHOUT_KYC, done.result.outcome)
            }
        }
    }
}
