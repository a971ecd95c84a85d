package com.smartenroll.sample.logic

import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertNull
import org.junit.Assert.assertTrue
import org.junit.Test

class CountdownTest {
    @Test
    fun secondsLeftRoundsUpAndStopsAtZero() {
        val c = ResendCountdown(availableAtMillis = 10_000)
        assertEquals(10, c.secondsLeft(0))
        assertEquals(10, c.secondsLeft(1))
        assertEquals(1, c.secondsLeft(9_999))
        assertEquals(0, c.secondsLeft(10_000))
        assertEquals(0, c.secondsLeft(99_000))
        assertFalse(c.canResend(9_999))
        assertTrue(c.canResend(10_000))
    }

    @Test
    fun ticksOncePerSecondOnTheInjectedClockDownToZero() = runBlocking {
        val clock = ManualClock(start = 0)
        val ticks = ResendCountdown(availableAtMillis = 3_500).ticks(clock).toList()
        assertEquals(listOf(4, 3, 2, 1, 0), ticks)
        // The last tick happens exactly when the resend becomes available.
        assertEquals(3_500, clock.now)
    }

    @Test
    fun retryAfterBuildsACountdownFromNow() {
        val c = ResendCountdown.after(nowMillis = 5_000, seconds = 60)
        assertEquals(60, c.secondsLeft(5_000))
        assertEquals(0, ResendCountdown.after(5_000, -3).secondsLeft(5_000))
    }

    @Test
    fun countdownLabelAndCodeInput() {
        assertEquals("1:05", formatCountdown(65))
        assertEquals("0:00", formatCountdown(-4))
        assertEquals("123456", normaliseCode(" 123-456 7"))
        assertTrue(isCompleteCode("000123"))
        assertFalse(isCompleteCode("12345"))
        assertFalse(isCompleteCode("12345a"))
    }
}

class GuidanceAnnouncerTest {
    @Test
    fun announcesOnlyStableChangesAndThrottles() {
        val clock = ManualClock(start = 0)
        val a = GuidanceAnnouncer(clock, stableMillis = 600, minGapMillis = 2_000)
        assertNull(a.onFrame("face_not_found")) // first sighting: not stable yet
        clock.advance(300)
        assertNull(a.onFrame("face_not_found"))
        clock.advance(300)
        assertEquals("face_not_found", a.onFrame("face_not_found")) // stable for 600 ms
        clock.advance(100)
        assertNull(a.onFrame("face_not_found")) // same key: never repeated
        // A flickering key (one frame) is never spoken.
        assertNull(a.onFrame("too_dark"))
        clock.advance(50)
        assertNull(a.onFrame("face_too_small"))
        clock.advance(700)
        // Stable, but within 2 s of the last announcement.
        assertNull(a.onFrame("face_too_small"))
        clock.advance(1_000)
        assertNull(a.onFrame("face_too_small")) // 1.85 s since the last one
        clock.advance(200)
        assertEquals("face_too_small", a.onFrame("face_too_small"))
    }

    @Test
    fun captureIsAnnouncedAtOnceAndResetForgets() {
        val clock = ManualClock(start = 0)
        val a = GuidanceAnnouncer(clock)
        assertEquals("captured", a.onFrame("captured", captured = true))
        a.reset()
        assertNull(a.onFrame("hold_still"))
        clock.advance(600)
        assertEquals("hold_still", a.onFrame("hold_still"))
    }
}

class DecisionsTest {
    @Test
    fun everyErrorKindHasARecoveryAndAMessageKey() {
        for (kind in ErrorKind.entries) {
            val e = Decisions.userError(kind)
            assertEquals("error_" + kind.name.lowercase(), e.messageKey)
        }
        assertEquals(RecoveryAction.RETRY, Decisions.recoveryFor(ErrorKind.NETWORK))
        assertEquals(RecoveryAction.WAIT, Decisions.recoveryFor(ErrorKind.RATE_LIMITED))
        assertEquals(RecoveryAction.FIX_INPUT, Decisions.recoveryFor(ErrorKind.OTP_MISMATCH))
        assertEquals(RecoveryAction.RESEND_CODE, Decisions.recoveryFor(ErrorKind.OTP_LOCKED))
        assertEquals(RecoveryAction.RESTART, Decisions.recoveryFor(ErrorKind.SESSION_EXPIRED))
        assertEquals(RecoveryAction.NONE, Decisions.recoveryFor(ErrorKind.CANCELLED))
    }

    @Test
    fun livenessFailureRetakesWhileAttemptsRemain() {
        assertEquals(RecoveryAction.RETAKE_PHOTO, Decisions.recoveryFor(ErrorKind.LIVENESS_FAILED, attemptsLeft = 2))
        assertEquals(RecoveryAction.RETAKE_PHOTO, Decisions.recoveryFor(ErrorKind.LIVENESS_FAILED, attemptsLeft = null))
        assertEquals(RecoveryAction.RESTART, Decisions.recoveryFor(ErrorKind.LIVENESS_FAILED, attemptsLeft = 0))
        assertTrue(Decisions.retakeSelfie(Decisions.userError(ErrorKind.LIVENESS_FAILED, attemptsLeft = 1)))
        assertFalse(Decisions.retakeSelfie(Decisions.userError(ErrorKind.FACE_ALREADY_EXISTS)))
    }

    /**
     * After a failed selfie or document upload, capture restarts only when the SDK's error asks
     * for a new photo: every SDK error variant (the exceptions the real SDK throws, through the
     * app's one mapping), with and without attempts left.
     */
    @Test
    fun captureRestartsOnlyWhenTheErrorAsksForANewPhoto() {
        val E = com.smartenroll.sdk.SmartEnrollException::class.java.name
        fun after(e: Throwable, attemptsLeft: Int? = 2) =
            Decisions.afterCaptureError(SdkMapping.userErrorFor(e, attemptsLeft))
        val sdk = com.smartenroll.sdk.SmartEnrollException::class.java
        val expected: Map<Throwable, CaptureRecovery> = mapOf(
            com.smartenroll.sdk.SmartEnrollException.Network("offline") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.Timeout("slow") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.Server(503, "unavailable") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.MalformedResponse("html") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.RateLimited("too_many", 5_000L) to CaptureRecovery.WAIT,
            com.smartenroll.sdk.SmartEnrollException.InvalidInput("image", "not a JPEG") to CaptureRecovery.RETAKE,
            com.smartenroll.sdk.SmartEnrollException.InvalidInput("email", "bad") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.OtpMismatch() to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.OtpLocked() to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.OtpExpired() to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.LivenessFailed(0.2) to CaptureRecovery.RETAKE,
            // Uses an attempt and will fail again with the same face: stop and explain.
            com.smartenroll.sdk.SmartEnrollException.FaceAlreadyExists() to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.AttemptsExhausted("liveness") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.AlreadyRegistered("email") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.SessionExpired("token") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.NotFound("flow") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.Forbidden("project") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.PaymentRequired("plan") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.Rejected(413, "image_too_large") to CaptureRecovery.RETAKE,
            com.smartenroll.sdk.SmartEnrollException.Rejected(400, "other") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.InvalidState("stale") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.Cancelled() to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.Config("url") to CaptureRecovery.STOP,
            com.smartenroll.sdk.SmartEnrollException.CertificatePinMismatch("h") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.UntrustedCertificate("h", "r") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.FaceDetectorUnavailable("none") to CaptureRecovery.RETRY_UPLOAD,
            // The app's OCR failed on a captured page (the page is kept): no new photo.
            com.smartenroll.sdk.SmartEnrollException.TextRecognitionFailed("ocr") to CaptureRecovery.RETRY_UPLOAD,
            com.smartenroll.sdk.SmartEnrollException.Internal("bug") to CaptureRecovery.RETRY_UPLOAD,
        )
        // Every SDK error variant is covered (a new one must be decided here too).
        val covered = expected.keys.map { it.javaClass.simpleName }.toSet()
        val variants = sdk.declaredClasses.filter { sdk.isAssignableFrom(it) }.map { it.simpleName }.toSet()
        assertEquals("$E variants", variants, covered)
        for ((error, want) in expected) {
            assertEquals(error.javaClass.simpleName, want, after(error))
        }
        // The liveness failure on the last attempt: no new photo, stop and explain.
        assertEquals(CaptureRecovery.STOP, after(com.smartenroll.sdk.SmartEnrollException.LivenessFailed(0.2), attemptsLeft = 0))
        // Offline: never a new capture, whatever the attempts.
        assertEquals(CaptureRecovery.RETRY_UPLOAD, after(com.smartenroll.sdk.SmartEnrollException.Network("x"), attemptsLeft = 0))
        // Every ErrorKind has a decision, and only RETAKE_PHOTO captures again.
        for (kind in ErrorKind.entries) {
            val e = Decisions.userError(kind, attemptsLeft = 1)
            val again = Decisions.mayCapture(busy = false, error = e)
            assertEquals(kind.name, e.action == RecoveryAction.RETAKE_PHOTO, again)
        }
        assertTrue(Decisions.mayCapture(busy = false, error = null))
        assertFalse("never while uploading", Decisions.mayCapture(busy = true, error = null))
    }

    @Test
    fun theIdSelfieReviewAndTokenScreensAreSecure() {
        assertTrue(Decisions.secureScreen(Screen.Document(DocumentSide.FRONT, listOf("passport"), 3, optional = false, canSkipKyc = false)))
        assertTrue(Decisions.secureScreen(Screen.Selfie(attemptsLeft = 3, optional = false, canSkipKyc = false)))
        assertFalse(Decisions.secureScreen(Screen.Loading()))
        assertFalse(Decisions.secureScreen(Screen.SignUp(SignUpFields(), SignUpForm())))
    }

    @Test
    fun cleartextHostsComeFromTheBuildPropertyList() {
        assertEquals(listOf("10.0.2.2"), cleartextHosts("10.0.2.2"))
        assertEquals(listOf("10.0.2.2", "192.168.1.20"), cleartextHosts(" 10.0.2.2, 192.168.1.20,,10.0.2.2 "))
        assertEquals(emptyList<String>(), cleartextHosts(""))
    }

    @Test
    fun skipIsOfferedOnlyForOptionalStepsWhenIdle() {
        assertTrue(Decisions.canSkip(optional = true, busy = false))
        assertFalse(Decisions.canSkip(optional = true, busy = true))
        assertFalse(Decisions.canSkip(optional = false, busy = false))
    }

    @Test
    fun guidanceKeysMapToTheirResourcesAndUnknownKeysFallBack() {
        assertEquals("guidance_face_not_found", Guidance.resourceName("face_not_found"))
        assertEquals("guidance_unknown", Guidance.resourceName("a_key_from_a_newer_sdk"))
        assertEquals(Guidance.KEYS.size + 1, Guidance.RESOURCE_NAMES.toSet().size)
    }
}

class RedactionTest {
    @Test
    fun personalDataAndTokensNeverPrint() {
        val form = SignUpForm("Ana Example", "ana@example.com", "+57", "3001234567")
        val printed = Screen.SignUp(SignUpFields(), form).toString()
        for (secret in listOf("Ana Example", "ana@example.com", "3001234567")) {
            assertFalse(printed, printed.contains(secret))
        }
        assertTrue(printed.contains("+57"))
        val result = Screen.Result(Outcome.COMPLETED, "eyJ.secret-token.sig", "https://example.com/welcome?token=eyJ.secret-token.sig")
        assertFalse(result.toString().contains("secret-token"))
        assertEquals(Screen.Result(Outcome.COMPLETED, "eyJ.secret-token.sig", null), result.copy(redirectUrl = null))
    }
}

class SignUpRulesTest {
    private val names = SignUpFields(fullName = false, firstName = true, lastName = true, email = false, phone = false)

    @Test
    fun onlyTheFieldsTheFlowAsksForAreRequired() {
        val emailOnly = SignUpFields(fullName = false, email = true, phone = false)
        assertNull(SignUpRules.invalidField(emailOnly, SignUpForm(email = "ana@example.com")))
        assertEquals("email", SignUpRules.invalidField(emailOnly, SignUpForm(fullName = "Ana", phone = "300")))
        assertEquals("lastName", SignUpRules.invalidField(names, SignUpForm(firstName = "Ana")))
        val phone = SignUpFields(fullName = false, email = false, phone = true, phoneChannels = listOf(PhoneChannel.SMS))
        assertEquals("countryCode", SignUpRules.invalidField(phone, SignUpForm(phone = "3001234567")))
        assertNull(SignUpRules.invalidField(phone, SignUpForm(countryCode = "+57", phone = "3001234567")))
        assertEquals(
            "a channel the flow does not offer",
            "phoneChannel",
            SignUpRules.invalidField(phone, SignUpForm(countryCode = "+57", phone = "3001234567", phoneChannel = PhoneChannel.WHATSAPP)),
        )
        val terms = emailOnly.copy(termsAndConditions = true, privacyNotice = true)
        val form = SignUpForm(email = "ana@example.com")
        assertEquals("terms", SignUpRules.invalidField(terms, form))
        assertEquals("privacy", SignUpRules.invalidField(terms, form.copy(acceptedTerms = true)))
        assertNull(SignUpRules.invalidField(terms, form.copy(acceptedTerms = true, acceptedPrivacy = true)))
    }

    @Test
    fun firstAndLastNameAreSentOnTheirOwnAndJoinedAndUnaskedFieldsAreNotSent() {
        assertEquals("Ana Example", SignUpRules.nameOf(names, SignUpForm(fullName = "Ignored", firstName = " Ana ", lastName = "Example")))
        assertEquals("Ana María", SignUpRules.nameOf(SignUpFields(), SignUpForm(fullName = " Ana María ")))
        assertNull(SignUpRules.nameOf(SignUpFields(fullName = false), SignUpForm(fullName = "Ana")))
        val data = SdkMapping.signUpData(names, SignUpForm(email = "ana@example.com", phone = "300", firstName = "Ana", lastName = "Example"), "es")
        assertNull(data.email)
        assertNull(data.phone)
        assertEquals("Ana Example", data.fullName)
        assertEquals("Ana", data.firstName)
        assertEquals("Example", data.lastName)
        assertEquals("es", data.language)
        // A flow that asks for the full name only: no first or last name is sent.
        val full = SdkMapping.signUpData(SignUpFields(), SignUpForm(fullName = "Ana Example", firstName = "Ana"), "en")
        assertNull(full.firstName)
        assertNull(full.lastName)
    }

    private fun flow(terms: Boolean, privacy: Boolean, termsUrl: String?, privacyUrl: String?) = com.smartenroll.sdk.FlowSummary(
        projectId = "p", flowId = "f", status = "active", active = true,
        steps = com.smartenroll.sdk.StepModes(
            com.smartenroll.sdk.StepMode.MANDATORY, com.smartenroll.sdk.StepMode.SKIP, com.smartenroll.sdk.StepMode.SKIP,
            com.smartenroll.sdk.StepMode.SKIP, com.smartenroll.sdk.StepMode.SKIP,
        ),
        signUpForm = com.smartenroll.sdk.SignUpFormFields(
            fullName = true, firstName = false, lastName = false, email = true, phone = false,
            showTermsAndConditions = terms, showPrivacyNotice = privacy,
            emailGateway = com.smartenroll.sdk.EmailGateway.MAILGUN, phoneGateway = com.smartenroll.sdk.PhoneGateway.NONE,
        ),
        canSkipKyc = true, acceptedDocumentCategories = emptyList(), documentMaxAttempts = 3, livenessMaxAttempts = 3,
        redirectUrl = null, verifyNames = false, verifyCriminalHistory = false,
        livenessMinScore = 0.65, compareMinScore = 0.8, searchMinScore = 0.8,
        termsUrl = termsUrl, privacyUrl = privacyUrl,
    )

    @Test
    fun theProjectsPagesAreLinkedOnlyWhenShownAndOnlyOverHttps() {
        val both = SdkMapping.signUpFields(flow(true, true, " https://example.com/terms ", "https://example.com/privacy?lang=es"))
        assertEquals("https://example.com/terms", both.termsUrl)
        assertEquals("https://example.com/privacy?lang=es", both.privacyUrl)
        val hidden = SdkMapping.signUpFields(flow(false, false, "https://example.com/terms", "https://example.com/privacy"))
        assertNull(hidden.termsUrl)
        assertNull(hidden.privacyUrl)
        for (bad in listOf("http://example.com/terms", "javascript:alert(1)", "intent://scan/#Intent;end", "file:///etc/passwd",
            "https://", "not a url", "", null)) {
            assertNull("$bad must not be linked", SdkMapping.signUpFields(flow(true, true, bad, bad)).termsUrl)
            assertNull(SdkMapping.webLink(bad))
        }
    }

    @Test
    fun thePickedChannelIsUsedOnlyWhenOffered() {
        val both = SignUpFields(phone = true, phoneChannels = listOf(PhoneChannel.SMS, PhoneChannel.WHATSAPP))
        val form = SignUpForm(phoneChannel = PhoneChannel.WHATSAPP)
        assertEquals(PhoneChannel.WHATSAPP, SignUpRules.chosenChannel(both, form, both.phoneChannels))
        assertNull(SignUpRules.chosenChannel(both, form, listOf(PhoneChannel.SMS)))
        assertNull(SignUpRules.chosenChannel(both, SignUpForm(), both.phoneChannels))
    }
}

/** The review screen's state, mapped from the SDK's `AwaitingReview` state (no server needed). */
class ReviewMappingTest {
    private fun document(
        fullName: String? = null,
        firstName: String? = "Ana María",
        lastName: String? = "Pérez Gómez",
    ) = com.smartenroll.sdk.DocumentFields(
        status = "ACTIVE",
        category = "ID",
        documentType = "CC",
        documentNumber = "1020304050",
        firstName = firstName,
        lastName = lastName,
        fullName = fullName,
        dateOfBirth = "1990-05-17",
        expirationDate = "2031-01-31",
        nationality = "COL",
    )

    private fun review(
        document: com.smartenroll.sdk.DocumentFields? = document(),
        namesMatch: Boolean? = true,
        criminal: com.smartenroll.sdk.CriminalCheck? = com.smartenroll.sdk.CriminalCheck(status = "ACTIVE", recordFound = false),
        outcome: com.smartenroll.sdk.Outcome = com.smartenroll.sdk.Outcome.COMPLETED,
    ) = com.smartenroll.sdk.Review(
        registrationId = "65a1b2c3d4e5f60718293a4b",
        document = document,
        namesMatch = namesMatch,
        liveness = com.smartenroll.sdk.ScoreCheck(score = 0.914, minScore = 0.65, passed = true),
        compare = com.smartenroll.sdk.ScoreCheck(score = 0.42, minScore = 0.8, passed = false),
        criminalCheck = criminal,
        expectedOutcome = outcome,
    )

    private fun screenOf(r: com.smartenroll.sdk.Review): Screen.Review =
        SdkMapping.screenFor(com.smartenroll.sdk.EnrollState.AwaitingReview(r), SignUpFields(), SignUpForm()) as Screen.Review

    @Test
    fun theReviewShowsTheOcrFieldsInOrderAndTheScoresWithTheirMinimums() {
        val s = screenOf(review()).review
        assertEquals(ReviewSummary.FIELD_KEYS, s.documentFields.map { it.labelKey })
        assertEquals(
            listOf("Ana María Pérez Gómez", "CC · ID", "1020304050", "1990-05-17", "2031-01-31", "COL"),
            s.documentFields.map { it.value },
        )
        assertEquals(ScoreLine(percent = 91, minPercent = 65, passed = true), s.liveness)
        assertEquals(ScoreLine(percent = 42, minPercent = 80, passed = false), s.compare)
        assertEquals(true, s.namesMatch)
        assertEquals(CriminalCheckResult.CLEAR, s.criminalCheck)
        assertFalse(s.expectedToFail)
    }

    @Test
    fun whereTheOcrAndTheDocumentsCodeDisagreeIsListedUnderTheFieldsLabel() {
        val r = review().copy(
            disagreements = listOf(
                com.smartenroll.sdk.FieldDisagreement(field = "last_name", server = "PEREZ", document = "PERES"),
                com.smartenroll.sdk.FieldDisagreement(field = "document_number", server = "1020304050", document = "1020304059"),
                com.smartenroll.sdk.FieldDisagreement(field = "date_of_birth", server = "1990-05-17", document = "1990-05-18"),
                com.smartenroll.sdk.FieldDisagreement(field = "something_new", server = "a", document = "b"),
            ),
        )
        val s = screenOf(r).review
        assertEquals(
            listOf("review_field_names", "review_field_document_number", "review_field_date_of_birth", "review_field_other"),
            s.disagreements.map { it.labelKey },
        )
        assertEquals(ReviewDisagreement("review_field_document_number", "1020304050", "1020304059"), s.disagreements[1])
        for (key in s.disagreements.map { it.labelKey }) assertTrue(key in ReviewSummary.FIELD_KEYS + "review_field_other")
        val printed = s.toString() + s.disagreements.toString()
        assertFalse(printed, printed.contains("PERES") || printed.contains("1020304059"))
        // Without the document's own data there is nothing to compare.
        val none = screenOf(review()).review
        assertTrue(none.disagreements.isEmpty())
        assertFalse(none.documentCodeCompared)
        // With it and no disagreement: compared, and they match.
        val code = com.smartenroll.sdk.DocumentIdentity(givenNames = "ANA MARIA", surnames = "PEREZ GOMEZ", documentNumber = null, dateOfBirth = null)
        val agreed = screenOf(review().copy(machineReadable = code)).review
        assertTrue(agreed.documentCodeCompared && agreed.disagreements.isEmpty())
        // No OCR fields from the server: nothing was compared.
        assertFalse(screenOf(review(document = null).copy(machineReadable = code)).review.documentCodeCompared)
    }

    @Test
    fun theFullNameWinsAndFieldsTheServerDidNotReadAreLeftOut() {
        val s = screenOf(
            review(document = document(fullName = " ANA PEREZ ").copy(documentNumber = "  ", nationality = null, category = "CC")),
        ).review
        assertEquals(
            listOf("review_field_names", "review_field_document_type", "review_field_date_of_birth", "review_field_expiration_date"),
            s.documentFields.map { it.labelKey },
        )
        assertEquals("ANA PEREZ", s.documentFields[0].value)
        assertEquals("the same type and category are shown once", "CC", s.documentFields[1].value)
        // Only a last name: it is the name shown.
        val last = screenOf(review(document = document(firstName = null))).review
        assertEquals("Pérez Gómez", last.documentFields.first { it.labelKey == "review_field_names" }.value)
    }

    @Test
    fun noDocumentNoNameCheckAndNoCriminalCheckShowNothingForThem() {
        val s = screenOf(review(document = null, namesMatch = null, criminal = null)).review
        assertTrue(s.documentFields.isEmpty())
        assertNull(s.namesMatch)
        assertNull(s.criminalCheck)
    }

    @Test
    fun criminalCheckAndExpectedOutcome() {
        fun criminal(status: String, found: Boolean) =
            screenOf(review(criminal = com.smartenroll.sdk.CriminalCheck(status, found))).review.criminalCheck
        assertEquals(CriminalCheckResult.RECORD_FOUND, criminal("FAILED", true))
        assertEquals(CriminalCheckResult.RECORD_FOUND, criminal("FAILED", false))
        assertEquals(CriminalCheckResult.RECORD_FOUND, criminal("ACTIVE", true))
        assertEquals(CriminalCheckResult.ASSESSING, criminal("assessing", false))
        assertEquals(CriminalCheckResult.CLEAR, criminal("ACTIVE", false))
        assertTrue(screenOf(review(outcome = com.smartenroll.sdk.Outcome.FAILED)).review.expectedToFail)
    }

    @Test
    fun scoresArePercentsClampedToTheScale() {
        assertEquals(65, ReviewSummary.percent(0.65))
        assertEquals(100, ReviewSummary.percent(1.7))
        assertEquals(0, ReviewSummary.percent(-0.2))
        assertEquals(0, ReviewSummary.percent(Double.NaN))
    }

    @Test
    fun theReviewScreenNeverPrintsTheDocumentsPersonalData() {
        val screen = screenOf(review())
        val printed = screen.toString() + screen.with(busy = true, error = null).toString()
        for (secret in listOf("Ana María", "Pérez", "1020304050", "1990-05-17", "2031-01-31", "COL")) {
            assertFalse(printed, printed.contains(secret))
        }
        assertTrue(printed, printed.contains("review_field_document_number") && printed.contains("percent=91"))
        // The SDK's own record redacts too (its toString is the Rust Debug of the core's type).
        val sdk = review().toString()
        assertFalse(sdk, sdk.contains("1020304050") || sdk.contains("Pérez"))
    }
}
