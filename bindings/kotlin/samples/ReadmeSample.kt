package com.example.onboarding

import com.smartenroll.sdk.ClientConfig
import com.smartenroll.sdk.DocumentSide
import com.smartenroll.sdk.EnrollResult
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.SignUpData
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.SmartEnrollException
import com.smartenroll.sdk.isTerminal
import com.smartenroll.sdk.states
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.launch

/**
 * One whole enrollment. `askUser` shows a prompt and returns what the user typed; the images
 * are JPEG bytes (e.g. the liveness prefilter's captured selfie).
 */
suspend fun enroll(
    config: ClientConfig, // e.g. ClientConfig(baseUrl = "https://api.verifik.co")
    projectId: String,
    signUp: SignUpData, // e.g. SignUpData(email = "ana@example.com")
    askUser: suspend (prompt: String) -> String,
    documentFront: ByteArray,
    documentBack: ByteArray,
    selfie: ByteArray,
    scope: CoroutineScope,
): EnrollResult {
    SmartEnrollClient(config).use { client ->
        // The flow says which sign-up fields to ask for.
        val flow = client.fetchFlowConfig(projectId)
        client.newEnrollment(flow, signUp).use { session ->
            // Optional: drive your UI from the state Flow.
            val ui = scope.launch(start = CoroutineStart.UNDISPATCHED) {
                session.states().collect { println("state: $it") }
            }
            var state = session.start()
            while (!state.isTerminal()) {
                state = try {
                    when (val s = state) {
                        is EnrollState.AwaitingEmailCode ->
                            session.submitEmailCode(askUser("Code sent to ${s.maskedEmail}"))
                        is EnrollState.AwaitingPhoneChannel -> session.choosePhoneChannel(s.channels.first())
                        is EnrollState.AwaitingPhoneCode ->
                            session.submitPhoneCode(askUser("Code sent to ${s.maskedPhone}"))
                        is EnrollState.AwaitingDocument -> session.submitDocument(
                            if (s.side == DocumentSide.FRONT) documentFront else documentBack,
                            s.acceptedCategories.first(),
                        )
                        is EnrollState.AwaitingSelfie -> session.submitSelfie(selfie)
                        // Show s.review (OCR fields, scores) first.
                        is EnrollState.AwaitingReview -> session.confirm()
                        // A failed automatic step: retry it.
                        is EnrollState.Processing, is EnrollState.Interrupted -> session.resume()
                        is EnrollState.NotStarted -> session.start()
                        is EnrollState.Completed -> s
                    }
                } catch (e: SmartEnrollException.OtpMismatch) {
                    state // wrong code: ask again
                }
            }
            ui.cancel()
            // result.outcome: COMPLETED, FAILED, NEEDS_MANUAL_VERIFICATION...
            // result.token.reveal(): hand it to your backend to open the user's session.
            return state.result // smart-cast by isTerminal()
        }
    }
}
