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
    let session = try await client.newEnrollment(projectId: projectId, flowId: nil, signup: signUp)
    // Optional: drive your UI from the AsyncStream of states.
    let ui = Task { for await state in session.states() { print("state: \(state)") } }
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
                    side: side, image: side == .front ? documentFront : documentBack, category: categories[0])
            case .awaitingSelfie:
                state = try await session.submitSelfie(image: selfie)
            case .awaitingReview:
                // Show the review (the document's OCR fields, the scores) before confirming.
                state = try await session.confirm()
            case .processing:
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
