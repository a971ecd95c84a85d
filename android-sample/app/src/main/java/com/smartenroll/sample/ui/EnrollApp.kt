package com.smartenroll.sample.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.res.stringResource
import com.smartenroll.sample.R
import com.smartenroll.sample.logic.Clock
import com.smartenroll.sample.logic.Decisions
import com.smartenroll.sample.logic.EnrollController
import com.smartenroll.sample.logic.Screen

/** Renders the controller's current [Screen]; every button calls straight into the controller. */
@Composable
fun EnrollApp(controller: EnrollController, clock: Clock) {
    val screen by controller.screen.collectAsState()
    val restart = { controller.restart(); Unit }
    val retry = { controller.retry(); Unit }
    SecureWindow(Decisions.secureScreen(screen))
    when (val s = screen) {
        is Screen.Loading -> LoadingScreen()
        is Screen.SignUp -> SignUpScreen(s, onSubmit = { controller.signUp(it) }, onRestart = restart)
        is Screen.Processing -> ProcessingScreen(s, onRetry = retry, onRestart = restart)
        is Screen.EmailCode -> OtpScreen(
            title = stringResource(R.string.otp_email_title),
            maskedDestination = s.maskedEmail,
            resend = s.resend,
            attemptsLeft = s.attemptsLeft,
            needsNewCode = s.needsNewCode,
            optional = s.optional,
            screen = s,
            clock = clock,
            onSubmit = { controller.submitEmailCode(it) },
            onResend = { controller.resendEmailCode() },
            onSkip = { controller.skipStep() },
            onRetry = retry,
            onRestart = restart,
        )
        is Screen.PhoneChannelChoice -> PhoneChannelScreen(
            s,
            onChoose = { controller.choosePhoneChannel(it) },
            onSkip = { controller.skipStep() },
            onRetry = retry,
            onRestart = restart,
        )
        is Screen.PhoneCode -> OtpScreen(
            title = stringResource(R.string.otp_phone_title),
            maskedDestination = s.maskedPhone,
            resend = s.resend,
            attemptsLeft = s.attemptsLeft,
            needsNewCode = s.needsNewCode,
            optional = s.optional,
            screen = s,
            clock = clock,
            onSubmit = { controller.submitPhoneCode(it) },
            onResend = { controller.resendPhoneCode() },
            onSkip = { controller.skipStep() },
            onRetry = retry,
            onRestart = restart,
        )
        is Screen.Document -> DocumentStep(
            s,
            onSubmit = { category, bytes, identity -> controller.submitDocument(category, bytes, identity) },
            onSkip = { controller.skipStep() },
            onSkipKyc = { controller.skipKyc() },
            onRetry = retry,
            onRestart = restart,
        )
        is Screen.Selfie -> SelfieScreen(
            s,
            clock = clock,
            onCaptured = { jpeg -> controller.submitSelfie(jpeg) },
            onSkip = { controller.skipStep() },
            onSkipKyc = { controller.skipKyc() },
            onRetry = retry,
            onRestart = restart,
        )
        is Screen.Review -> ReviewScreen(s, onConfirm = { controller.confirm() }, onRestart = restart)
        is Screen.Result -> ResultScreen(s, onNewEnrollment = restart)
        is Screen.Fatal -> FatalScreen(s, onRestart = restart)
    }
}
