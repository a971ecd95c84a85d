import SmartEnroll
import SwiftUI

/// Builds the SDK client and the controller once per process.
@MainActor
final class AppModel: ObservableObject {
    let clock = SystemClock()
    let controller: EnrollController?
    let configurationError: String?
    private var selfieCamera: SelfieCamera?

    init() {
        do {
            let config = try SampleConfig.fromBundle()
            // The face detector's model (not embedded in the SDK library), before the client.
            installFaceModelResource()
            let client = try SmartEnrollClient(config: makeClientConfig(apiUrl: config.apiUrl))
            let language = Locale.preferredLanguages.first?.hasPrefix("es") == true ? "es" : "en"
            controller = EnrollController(
                client: client,
                target: EnrollTarget(projectId: config.projectId, flowId: config.flowId, language: language),
                store: KeychainSnapshotStore()
            )
            configurationError = nil
        } catch {
            controller = nil
            configurationError = "\(error)"
        }
    }

    /// One camera + prefilter for the selfie screen, kept across re-renders and retries; nil if
    /// the SDK refused to create the capture (then the selfie screen offers to start over).
    func camera() -> SelfieCamera? {
        if let existing = selfieCamera { return existing }
        guard let capture = try? makeLivenessCapture() else { return nil }
        let created = SelfieCamera(capture: capture, clock: clock)
        selfieCamera = created
        return created
    }
}

@main
struct SmartEnrollSampleApp: App {
    @StateObject private var model = AppModel()

    var body: some Scene {
        WindowGroup {
            if let controller = model.controller {
                RootView(controller: controller, clock: model.clock, makeSelfieCamera: model.camera)
                    .task { await controller.start() }
            } else {
                ConfigurationErrorView(detail: model.configurationError ?? "")
            }
        }
    }
}
