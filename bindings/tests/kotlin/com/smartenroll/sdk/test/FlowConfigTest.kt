package com.smartenroll.sdk.test

import com.smartenroll.sdk.DocumentCategory
import com.smartenroll.sdk.EmailGateway
import com.smartenroll.sdk.PhoneGateway
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.StepMode
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Assert.fail
import org.junit.Test

/** `SmartEnrollClient.fetchFlowConfig` against the real sandbox: what an app builds its form from. */
class FlowConfigTest {
    private val sandbox = Sandbox.shared

    @Test
    fun fullKycFlowSummary(): Unit = runBlocking {
        val (projectId, flowId) = sandbox.createProjectAndFlow(fullKyc = true)
        SmartEnrollClient(sandbox.config).use { client ->
            val s = client.fetchFlowConfig(projectId, null)
            assertEquals(projectId, s.projectId)
            assertEquals(flowId, s.flowId)
            assertEquals("active", s.status)
            assertTrue(s.active)
            assertEquals("https://example.com/welcome", s.redirectUrl)
            val f = s.signUpForm
            assertTrue(f.fullName && f.email)
            assertFalse(f.firstName || f.lastName || f.phone)
            assertFalse(f.showTermsAndConditions || f.showPrivacyNotice)
            assertEquals(EmailGateway.MAILGUN, f.emailGateway)
            assertEquals(PhoneGateway.NONE, f.phoneGateway)
            assertEquals(StepMode.MANDATORY, s.steps.signUpForm)
            assertEquals(StepMode.SKIP, s.steps.basicInformation)
            assertEquals(StepMode.MANDATORY, s.steps.document)
            assertEquals(StepMode.MANDATORY, s.steps.liveness)
            assertEquals(StepMode.SKIP, s.steps.form)
            assertFalse("document and liveness are mandatory", s.canSkipKyc)
            assertEquals(
                listOf(DocumentCategory.GOVERNMENT_ID, DocumentCategory.PASSPORT, DocumentCategory.DRIVER_LICENSE),
                s.acceptedDocumentCategories,
            )
            assertEquals(3, s.documentMaxAttempts)
            assertEquals(3, s.livenessMaxAttempts)
            // No name or criminal check; the flow's score thresholds.
            assertFalse(s.verifyNames || s.verifyCriminalHistory)
            assertEquals(0.65, s.livenessMinScore, 1e-9)
            assertEquals(0.8, s.compareMinScore, 1e-9)
            assertEquals(0.8, s.searchMinScore, 1e-9)
            // The project's pages (Sandbox.createProject sets them).
            assertEquals("https://example.com/terms", s.termsUrl)
            assertEquals("https://example.com/privacy", s.privacyUrl)
            // Asking for the flow by its id gives the same summary.
            assertEquals(s, client.fetchFlowConfig(projectId, flowId))
        }
    }

    @Test
    fun basicFlowWithFirstAndLastNameAndBothPhoneChannels(): Unit = runBlocking {
        val (projectId, _) = sandbox.createProjectAndFlow(
            fullKyc = false,
            signUpForm = """{"fullName":false,"firstName":true,"lastName":true,"email":false,"phone":true,
                "showTermsAndConditions":true,"showPrivacyNotice":true,"emailGateway":"none","phoneGateway":"both"}""",
        )
        SmartEnrollClient(sandbox.config).use { client ->
            val s = client.fetchFlowConfig(projectId, null)
            val f = s.signUpForm
            assertFalse(f.fullName || f.email)
            assertTrue(f.firstName && f.lastName && f.phone)
            assertTrue(f.showTermsAndConditions && f.showPrivacyNotice)
            assertEquals(EmailGateway.NONE, f.emailGateway)
            assertEquals(PhoneGateway.BOTH, f.phoneGateway)
            assertEquals(StepMode.OPTIONAL, s.steps.document)
            assertEquals(StepMode.OPTIONAL, s.steps.liveness)
            assertTrue("no KYC step is mandatory", s.canSkipKyc)
            assertTrue(s.active)
        }
    }

    @Test
    fun nameAndCriminalChecksAndTheScoreThresholdsAsTheFlowSetsThem(): Unit = runBlocking {
        val (projectId, _) = sandbox.createProjectAndFlow(
            fullKyc = true,
            document = """{"useGovernmentID":false,"usePassport":true,"useLicense":false,"verifyNames":true,
                "verifyCriminalHistory":true,"compareMinScore":0.9,"maxAttempts":5}""",
            liveness = """{"livenessMinScore":0.72,"searchMinScore":0.55,"searchMode":"ACCURATE","maxAttempts":4}""",
        )
        SmartEnrollClient(sandbox.config).use { client ->
            val s = client.fetchFlowConfig(projectId, null)
            assertTrue(s.verifyNames)
            assertTrue(s.verifyCriminalHistory)
            assertEquals(0.72, s.livenessMinScore, 1e-9)
            assertEquals(0.9, s.compareMinScore, 1e-9)
            assertEquals(0.55, s.searchMinScore, 1e-9)
            assertEquals(listOf(DocumentCategory.PASSPORT), s.acceptedDocumentCategories)
            assertEquals(5, s.documentMaxAttempts)
            assertEquals(4, s.livenessMaxAttempts)
        }
    }

    @Test
    fun unknownProjectOrFlowIsNotFoundAndAnEmptyIdIsInvalidInput(): Unit = runBlocking {
        val (projectId, _) = sandbox.createProjectAndFlow(fullKyc = false)
        SmartEnrollClient(sandbox.config).use { client ->
            try {
                client.fetchFlowConfig("0123456789abcdef01234567", null)
                fail("an unknown project must fail")
            } catch (e: SmartEnrollException.NotFound) {
                assertTrue(e.code.isNotEmpty())
            }
            try {
                client.fetchFlowConfig(projectId, "0123456789abcdef01234567")
                fail("an unknown flow must fail")
            } catch (e: SmartEnrollException.NotFound) {
                assertEquals("projectFlow_not_found", e.code)
            }
            try {
                client.fetchFlowConfig(" ", null)
                fail("an empty project id must fail")
            } catch (e: SmartEnrollException.InvalidInput) {
                assertEquals("projectId", e.field)
            }
        }
    }
}
