import Foundation
import SmartEnroll

/// One whole enrollment. `askUser` shows a prompt and returns what the user typed; the images
/// are JPEG bytes (e.g. the liveness prefilter's captured selfie).
func enroll(
    config: ClientConfig, // e.g. ClientConfig(baseUrl: "https://api.verifik.co")
    projectId: String,
    signUp: SignUpData, // e.g. SignUpData(email: "ana@example.com")
    askUser: (String) async -> String,
    documentFront: Data,
    documentBack: Data,
    selfie: Data
) async throws -> EnrollResult {
    let client = try SmartEnrollClient(config: config)
    // The flow says which sign-up fields to ask for.
    let flow = try await client.fetchFlowConfig(projectId: projectId)
    let session = try await client.newEnrollment(flow: flow, signUp: signUp)
    // Optional: drive your UI from the AsyncStream of states.
    let states = session.states()
    let ui = Task { for await state in states { print("state: \(state)") } }
    defer { ui.cancel() }
    var state = try await session.start()
    while true {
        do {
            switch state {
            case let .awaitingEmailCode(maskedEmail, _, _, _):
                state = try await session.submitEmailCode(code: await askUser("Code sent to \(maskedEmail)"))
            case let .awaitingPhoneChannel(channels, _):
                state = try await session.choosePhoneChannel(channel: channels[0])
            case let .awaitingPhoneCode(maskedPhone, _, _, _, _):
                state = try await session.submitPhoneCode(code: await askUser("Code sent to \(maskedPhone)"))
            case let .awaitingDocument(side, categories, _, _, _):
                state = try await session.submitDocument(
                    image: side == .front ? documentFront : documentBack, category: categories[0])
            case .awaitingSelfie:
                state = try await session.submitSelfie(image: selfie)
            case .awaitingReview:
                // Show the review (OCR fields, scores) first.
                state = try await session.confirm()
            case .processing, .interrupted:
                // A failed automatic step: retry it.
                state = try await session.resume()
            case .notStarted:
                state = try await session.start()
            case let .completed(result):
                // result.outcome: .completed, .failed, .needsManualVerification...
                // result.token.reveal(): hand it to your backend to open the user's session.
                return result
            }
        } catch SmartEnrollError.OtpMismatch {
            continue // wrong code: ask again
        }
    }
}
