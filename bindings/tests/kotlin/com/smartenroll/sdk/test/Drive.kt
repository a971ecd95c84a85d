package com.smartenroll.sdk.test

import com.smartenroll.sdk.DocumentSide
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.EnrollmentSession

/**
 * Answers the session's states with the sandbox's codes, the synthetic document and the sample
 * selfie until [stop] says so (by default at `AwaitingReview` or `Completed`); returns that state.
 * Never confirms a review: the caller does.
 */
suspend fun driveUntil(
    session: EnrollmentSession,
    sandbox: Sandbox,
    email: String?,
    phone: String? = null,
    stop: (EnrollState) -> Boolean = { it is EnrollState.AwaitingReview || it is EnrollState.Completed },
): EnrollState {
    var state = if (session.state() is EnrollState.NotStarted) session.start() else session.state()
    var guard = 0
    while (!stop(state)) {
        check(guard++ < 30) { "no progress; stuck in $state" }
        state = when (val s = state) {
            is EnrollState.AwaitingEmailCode -> session.submitEmailCode(sandbox.latestCode(email!!))
            is EnrollState.AwaitingPhoneChannel -> session.choosePhoneChannel(s.channels.first())
            is EnrollState.AwaitingPhoneCode -> session.submitPhoneCode(sandbox.latestCode(phone!!))
            is EnrollState.AwaitingDocument -> session.submitDocument(
                Fixtures.document(if (s.side == DocumentSide.FRONT) "FRONT" else "BACK"),
                s.acceptedCategories.first(),
            )
            is EnrollState.AwaitingSelfie -> session.submitSelfie(Fixtures.selfie)
            is EnrollState.Processing, is EnrollState.Interrupted -> session.resume()
            is EnrollState.NotStarted -> session.start()
            is EnrollState.AwaitingReview, is EnrollState.Completed ->
                error("reached $state, which the stop condition does not accept")
        }
    }
    return state
}
