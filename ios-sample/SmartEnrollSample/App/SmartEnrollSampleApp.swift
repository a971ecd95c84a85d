import SmartEnroll
import SwiftUI

/// Builds the SDK client and the controller once per process.
@MainActor
final class AppModel: ObservableObject {
    let clock = SystemClock()
    let controller: EnrollController?
    let configurationError: String?
    /// The selfie camera, built once off the main thread and reused by every selfie screen.
    @Published private(set) var selfieCamera: SelfieCamera?
    /// The SDK refused to create the capture: the selfie screen offers to start over.
    @Published private(set) var selfieCameraFailed = false
    private var preparing = false

    init() {
        do {
            let config = try SampleConfig.fromBundle()
            // The face detector's model (not embedded in the SDK library), before the client.
            installFaceModelResource()
            let client = try SmartEnrollClient(config: makeClientConfig(config))
            let language = Locale.preferredLanguages.first?.hasPrefix("es") == true ? "es" : "en"
            let snapshots = SnapshotKeeper(store: KeychainSnapshotStore())
            // The Keychain outlives an uninstall: never resume the previous install's session
            // (queued before the controller's first load, on the same serial queue).
            snapshots.clearIfFirstLaunch(defaults: .standard)
            controller = EnrollController(
                client: client,
                target: EnrollTarget(projectId: config.projectId, flowId: config.flowId, language: language),
                snapshots: snapshots
            )
            configurationError = nil
        } catch {
            controller = nil
            configurationError = "\(error)"
        }
    }

    /// Builds the prefilter capture (model loading, ONNX Runtime) on a background thread, once.
    func prepareSelfieCamera() {
        guard selfieCamera == nil, !selfieCameraFailed, !preparing else { return }
        preparing = true
        let clock = self.clock
        Task.detached(priority: .userInitiated) {
            // Loading the models and ONNX Runtime happens here, off the main thread.
            let built: SelfieCapture? = (try? makeLivenessCapture()).map { capture in
                SelfieCapture(capture: capture, clock: clock)
            }
            await MainActor.run {
                self.preparing = false
                if let built = built {
                    self.selfieCamera = SelfieCamera(selfie: built)
                } else {
                    self.selfieCameraFailed = true
                }
            }
        }
    }
}

@main
struct SmartEnrollSampleApp: App {
    @StateObject private var model = AppModel()
    @Environment(\.scenePhase) private var scenePhase

    var body: some Scene {
        WindowGroup {
            Group {
                if let controller = model.controller {
                    RootView(controller: controller, clock: model.clock, selfieCamera: model.selfieCamera,
                             selfieCameraFailed: model.selfieCameraFailed)
                        .task {
                            model.prepareSelfieCamera()
                            await controller.start()
                        }
                } else {
                    ConfigurationErrorView(detail: model.configurationError ?? "")
                }
            }
            // The ID, selfie and token screens must not show in the app switcher: a cover as
            // soon as the app resigns active (the snapshot is taken after that).
            .overlay(scenePhase == .active ? nil : PrivacyCover())
        }
    }
}

/// What the app switcher shows instead of the current screen.
struct PrivacyCover: View {
    var body: some View {
        ZStack {
            Color(UIColor.systemBackground).ignoresSafeArea()
            Text("app_name").font(.title2.bold())
        }
        .accessibilityIdentifier("privacy_cover")
    }
}
