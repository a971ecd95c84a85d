package com.smartenroll.sdk.test

import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.Outcome
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.StateObserver
import com.smartenroll.sdk.prefillSignUp
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNotNull
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test
import java.util.concurrent.CopyOnWriteArrayList

/**
 * The review before `end` through the bindings, against the real sandbox: what `AwaitingReview`
 * carries (the document's OCR fields, names match, scores with the flow's thresholds, the
 * criminal check), `confirm()`, `EnrollResult.review`, and `setAutoConfirm`.
 */
class ReviewTest {
    private val sandbox = Sandbox.shared

    /** A Full-KYC flow that also checks the names and the criminal history. */
    private fun checkedFlow(): String = sandbox.createProjectAndFlow(
        fullKyc = true,
        document = """{"useGovernmentID":true,"usePassport":true,"useLicense":true,"verifyNames":true,
            "verifyCriminalHistory":true,"compareMinScore":0.8,"maxAttempts":3}""",
        liveness = """{"livenessMinScore":0.65,"searchMinScore":0.8,"searchMode":"FAST","maxAttempts":3}""",
    ).first

    private val date = Regex("""\d{4}-\d{2}-\d{2}""")

    @Test
    fun theReviewHoldsTheOcrFieldsScoresAndChecksAndConfirmEndsWithIt(): Unit = runBlocking {
        val projectId = checkedFlow()
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            val flow = client.fetchFlowConfig(projectId, null)
            assertTrue(flow.verifyNames && flow.verifyCriminalHistory)
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { session ->
                // Auto-confirm is off by default: the session stops at the review.
                val state = driveUntil(session, sandbox, email)
                assertTrue("stopped at the review: $state", state is EnrollState.AwaitingReview)
                val review = (state as EnrollState.AwaitingReview).review
                assertEquals(session.state(), state)
                assertEquals(Tokens.registrationIdOf(session.snapshot()), review.registrationId)

                // The OCR fields the server extracted (the sandbox derives them from the sign-up).
                val doc = review.document ?: error("no document fields in the review")
                assertEquals("ANA", doc.firstName)
                assertEquals("PRUEBA", doc.lastName)
                assertTrue("document number: ${doc.documentNumber?.length}", !doc.documentNumber.isNullOrBlank())
                assertFalse(doc.documentType.isNullOrBlank())
                assertFalse(doc.nationality.isNullOrBlank())
                assertTrue(date.matches(doc.dateOfBirth ?: ""))
                assertTrue(date.matches(doc.expirationDate ?: ""))

                // The checks, with the flow's thresholds.
                assertEquals(true, review.namesMatch)
                val liveness = review.liveness!!
                assertEquals(flow.livenessMinScore, liveness.minScore, 1e-9)
                assertTrue(liveness.passed && liveness.score > liveness.minScore)
                val compare = review.compare!!
                assertEquals(flow.compareMinScore, compare.minScore, 1e-9)
                assertTrue(compare.passed && compare.score >= compare.minScore)
                assertEquals(false, review.criminalCheck!!.recordFound)
                assertEquals("ACTIVE", review.criminalCheck!!.status)
                assertEquals(Outcome.COMPLETED, review.expectedOutcome)

                // Logging the state cannot leak what the document says.
                val printed = state.toString() + doc.toString()
                for (secret in listOf("ANA", "PRUEBA", doc.documentNumber!!, doc.dateOfBirth!!)) {
                    assertFalse(printed, printed.contains(secret))
                }

                val done = session.confirm() as EnrollState.Completed
                assertEquals(Outcome.COMPLETED, done.result.outcome)
                assertEquals("the result keeps the review that was confirmed", review, done.result.review)
                assertFalse(done.result.toString().contains(doc.documentNumber!!))
            }
        }
    }

    @Test
    fun theDocumentsOwnDataPrefillsTheSignUpAndTheReviewListsWhereTheOcrDisagrees(): Unit = runBlocking {
        val projectId = checkedFlow()
        val email = Fixtures.email()
        // What an MRZ says: the holder's names in capitals, a number and a birth date the
        // sandbox's made-up OCR does not have (its birth years are 1960-2004).
        val mrz = DocumentIdentity(
            givenNames = "ANA", surnames = "PRUEBA", documentNumber = "0000000001", dateOfBirth = "1950-02-03",
        )
        val prefill = prefillSignUp(SignUpData(email = email), mrz)
        assertEquals("Ana Prueba", prefill.signUp.fullName)
        assertEquals("Ana", prefill.signUp.firstName)
        assertEquals("Prueba", prefill.signUp.lastName)
        assertEquals(email, prefill.signUp.email)
        assertEquals(listOf("full_name", "first_name", "last_name"), prefill.filled)
        assertEquals("0000000001", prefill.documentNumber)
        assertEquals("1950-02-03", prefill.dateOfBirth)
        assertFalse(prefill.toString(), prefill.toString().contains("0000000001"))
        // What the user typed is never overwritten.
        val typed = prefillSignUp(SignUpData(email = email, fullName = "Ana María Prueba"), mrz)
        assertEquals("Ana María Prueba", typed.signUp.fullName)
        assertTrue(typed.filled.isEmpty())

        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), prefill.signUp).use { session ->
                session.setDocumentData(mrz)
                val review = (driveUntil(session, sandbox, email) as EnrollState.AwaitingReview).review
                assertEquals(mrz, review.machineReadable)
                val ocr = review.document ?: error("no document fields in the review")
                assertEquals(listOf("document_number", "date_of_birth"), review.disagreements.map { it.field })
                assertEquals(ocr.documentNumber, review.disagreements[0].server)
                assertEquals("0000000001", review.disagreements[0].document)
                assertEquals("1950-02-03", review.disagreements[1].document)
                // Informational: the names agree, the outcome stays.
                assertEquals(true, review.namesMatch)
                assertEquals(Outcome.COMPLETED, review.expectedOutcome)
                val printed = review.disagreements.toString()
                assertFalse(printed, printed.contains("0000000001") || printed.contains("1950"))

                // Cleared during the review: the review no longer compares.
                session.setDocumentData(null)
                val cleared = (session.state() as EnrollState.AwaitingReview).review
                assertNull(cleared.machineReadable)
                assertTrue(cleared.disagreements.isEmpty())
                // Handed over again: back, and kept through the confirmed result.
                session.setDocumentData(mrz)
                val done = session.confirm() as EnrollState.Completed
                assertEquals(2, done.result.review!!.disagreements.size)
            }
        }
    }

    @Test
    fun aCriminalRecordShowsInTheReviewAndTheEnrollmentEndsFailed(): Unit = runBlocking {
        val projectId = checkedFlow()
        val email = Fixtures.email("criminal-hit")
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { session ->
                val review = (driveUntil(session, sandbox, email) as EnrollState.AwaitingReview).review
                assertEquals(true, review.criminalCheck!!.recordFound)
                assertEquals("FAILED", review.criminalCheck!!.status)
                assertEquals(Outcome.FAILED, review.expectedOutcome)
                val done = session.confirm() as EnrollState.Completed
                assertEquals(Outcome.FAILED, done.result.outcome)
                assertEquals(true, done.result.review!!.criminalCheck!!.recordFound)
            }
        }
    }

    @Test
    fun withAutoConfirmTheSessionEndsWithoutStoppingAtTheReview(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = true)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email, fullName = "Ana Prueba")).use { session ->
                val seen = CopyOnWriteArrayList<EnrollState>()
                session.observe(object : StateObserver {
                    override fun onStateChanged(state: EnrollState) { seen.add(state) }
                }).use {
                    session.setAutoConfirm(true)
                    val done = driveUntil(session, sandbox, email) as EnrollState.Completed
                    assertEquals(Outcome.COMPLETED, done.result.outcome)
                    val review = done.result.review ?: error("auto-confirm: the result has no review")
                    assertEquals(done.result.registrationId, review.registrationId)
                    assertNotNull(review.document)
                    assertTrue(review.liveness!!.passed && review.compare!!.passed)
                    assertTrue("no AwaitingReview: $seen", seen.none { it is EnrollState.AwaitingReview })
                }
            }
        }
    }

    @Test
    fun anEnrollmentThatSkipsKycHasNoReview(): Unit = runBlocking {
        val projectId = sandbox.createProject(fullKyc = false)
        val email = Fixtures.email()
        SmartEnrollClient(sandbox.config).use { client ->
            client.newEnrollment(client.fetchFlowConfig(projectId), SignUpData(email = email)).use { session ->
                val doc = driveUntil(session, sandbox, email) { it is EnrollState.AwaitingDocument }
                assertTrue((doc as EnrollState.AwaitingDocument).canSkipKyc)
                val done = session.skipKyc() as EnrollState.Completed
                assertEquals(Outcome.COMPLETED_WITHOUT_KYC, done.result.outcome)
                assertNull(done.result.review)
            }
        }
    }
}
