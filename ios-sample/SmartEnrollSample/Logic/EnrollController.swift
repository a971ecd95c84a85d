import Combine
import Foundation
import SmartEnroll

/// Which project and flow the app enrolls into.
public struct EnrollTarget: Sendable {
    public let projectId: String
    public let flowId: String?
    public let language: String

    public init(projectId: String, flowId: String?, language: String = "en") {
        self.projectId = projectId
        self.flowId = flowId
        self.language = language
    }
}

/// The sample app's brain, free of SwiftUI and UIKit (the same design as the Android sample's
/// `EnrollController`): it owns one SDK session, follows its state stream, maps each state to a
/// `Screen`, runs user actions with a busy flag and typed errors, and stores the snapshot in the
/// Keychain after every change so the app resumes after being killed (through `SnapshotKeeper`:
/// off the main thread, and a store failure means a fresh start, never a crash).
@MainActor
public final class EnrollController: ObservableObject {
    @Published public private(set) var screen = Screen(.loading, busy: true)

    private let client: SmartEnrollClient
    private let target: EnrollTarget
    private let snapshots: SnapshotKeeper
    private var session: EnrollmentSession?
    private var stateTask: Task<Void, Never>?
    /// The fields the flow asks for; fetched once, when the sign-up form is first needed.
    private var fields: SignUpFields?
    /// The flow fetched for `fields`: `newEnrollment` reuses it (no second request).
    private var flow: FlowSummary?
    private var form = SignUpForm()
    private var lastFailed: (() async throws -> Void)?
    private var inFlight = false

    public convenience init(client: SmartEnrollClient, target: EnrollTarget, store: SnapshotStore) {
        self.init(client: client, target: target, snapshots: SnapshotKeeper(store: store))
    }

    public init(client: SmartEnrollClient, target: EnrollTarget, snapshots: SnapshotKeeper) {
        self.client = client
        self.target = target
        self.snapshots = snapshots
    }

    /// Resumes the stored session if there is one, else fetches the flow configuration and shows
    /// the sign-up form with the fields the flow asks for.
    public func start() async {
        if let saved = await snapshots.load() {
            do {
                attach(try client.restoreEnrollment(snapshot: saved))
                render()
                return
            } catch {
                // The stored session cannot continue: start over. An expired session is worth
                // saying; a damaged or outdated snapshot is not the user's business.
                snapshots.clear()
                let userError = SdkMapping.userError(for: error)
                await showSignUp(error: userError.kind == .sessionExpired ? userError : nil)
                return
            }
        }
        await showSignUp()
    }

    public func signUp(_ input: SignUpForm) async {
        form = input
        await act { [self] in
            if let existing = session, !isNotStarted(existing.state()) {
                _ = try await existing.resume()
                return
            }
            // Only the fields the flow asks for are checked and sent; nothing starts while one is missing.
            let asked: SignUpFields
            if let known = fields { asked = known } else { asked = try await loadFields() }
            if let missing = SignUpRules.invalidField(asked, input) {
                throw InvalidSignUpField(field: missing)
            }
            // Validates the input and plans the steps of the flow fetched with the fields.
            let summary: FlowSummary
            if let known = flow {
                summary = known
            } else {
                summary = try await client.fetchFlowConfig(projectId: target.projectId, flowId: target.flowId)
            }
            let fresh = try await client.newEnrollment(
                flow: summary,
                signUp: SdkMapping.signUpData(fields: asked, form: input, language: target.language)
            )
            attach(fresh)
            do {
                _ = try await fresh.start()
            } catch {
                if isNotStarted(fresh.state()) { detach() }
                throw error
            }
        }
    }

    public func submitEmailCode(_ code: String) async {
        await act { [self] in _ = try await requireSession().submitEmailCode(code: normaliseCode(code)) }
    }

    public func resendEmailCode() async {
        await act { [self] in _ = try await requireSession().resendEmailCode() }
    }

    public func choosePhoneChannel(_ channel: PhoneChannelChoice) async {
        await act { [self] in _ = try await requireSession().choosePhoneChannel(channel: SdkMapping.sdkChannel(channel)) }
    }

    public func submitPhoneCode(_ code: String) async {
        await act { [self] in _ = try await requireSession().submitPhoneCode(code: normaliseCode(code)) }
    }

    public func resendPhoneCode() async {
        await act { [self] in _ = try await requireSession().resendPhoneCode() }
    }

    /// Uploads the document side the screen shows (the SDK takes it from its state). `identity`:
    /// what the page's MRZ or barcode says (`documentIdentity(mrz:barcode:)` of the captured
    /// page), handed to the session for the review's cross-check; nothing of it is sent, and a
    /// side without such data keeps the earlier one.
    public func submitDocument(category: String, image: Data, identity: DocumentIdentity? = nil) async {
        await act { [self] in
            guard let sdkCategory = SdkMapping.sdkCategory(category) else {
                throw SmartEnrollError.InvalidInput(field: "category", reason: "unknown document category")
            }
            let session = try requireSession()
            if let identity { session.setDocumentData(identity: identity) }
            _ = try await session.submitDocument(image: image, category: sdkCategory)
        }
    }

    public func submitSelfie(_ jpeg: Data) async {
        await act { [self] in _ = try await requireSession().submitSelfie(image: jpeg) }
    }

    public func skipStep() async {
        await act { [self] in _ = try await requireSession().skipStep() }
    }

    public func skipKyc() async {
        await act { [self] in _ = try await requireSession().skipKyc() }
    }

    /// Confirms the review (`.review`): the SDK syncs `end` and the result follows.
    public func confirm() async {
        await act { [self] in _ = try await requireSession().confirm() }
    }

    public func resume() async {
        await act { [self] in _ = try await requireSession().resume() }
    }

    /// Repeats the last failed action ("Try again").
    public func retry() async {
        if let action = lastFailed {
            await act(action)
        } else {
            await resume()
        }
    }

    public func cancel() {
        session?.cancel()
    }

    /// Throws the session and its stored snapshot away and shows an empty sign-up form (fetching
    /// the flow's fields again if they could not be fetched before).
    public func restart() {
        detach()
        snapshots.clear()
        lastFailed = nil
        form = SignUpForm()
        if let known = fields {
            screen = Screen(.signUp(fields: known, form: form))
        } else {
            screen = Screen(.loading, busy: true)
            Task { await self.showSignUp() }
        }
    }

    // MARK: - Internals

    /// Fetches the flow's sign-up fields (public flow configuration) and keeps them.
    private func loadFields() async throws -> SignUpFields {
        let fetched = try await client.fetchFlowConfig(projectId: target.projectId, flowId: target.flowId)
        guard fetched.active else { throw FlowNotActive() }
        let loaded = SdkMapping.signUpFields(flow: fetched)
        flow = fetched
        fields = loaded
        return loaded
    }

    /// Shows the sign-up form, fetching the flow's fields first if needed. When they cannot be
    /// fetched (no network, unknown project or flow, inactive flow) nothing can start: the error
    /// is shown and "Start over" (`restart`) fetches again.
    private func showSignUp(error: UserError? = nil) async {
        if let known = fields {
            screen = Screen(.signUp(fields: known, form: form), error: error)
            return
        }
        screen = Screen(.loading, busy: true)
        do {
            let loaded = try await loadFields()
            screen = Screen(.signUp(fields: loaded, form: form), error: error)
        } catch {
            screen = Screen(.fatal, error: SdkMapping.userError(for: error))
        }
    }

    /// When the user already picked the phone channel on the sign-up form and the SDK now asks
    /// for it, answers with that pick. A failure here is not the action's: the choice screen stays.
    private func answerChannelChoice() async {
        guard let current = session, let asked = fields,
              case let .awaitingPhoneChannel(channels, _) = current.state(),
              let pick = SignUpRules.chosenChannel(asked, form, offered: channels.map(SdkMapping.channel(of:)))
        else { return }
        _ = try? await current.choosePhoneChannel(channel: SdkMapping.sdkChannel(pick))
    }

    private func requireSession() throws -> EnrollmentSession {
        guard let current = session else {
            throw SmartEnrollError.InvalidState(reason: "no enrollment session")
        }
        return current
    }

    private func isNotStarted(_ state: EnrollState) -> Bool {
        if case .notStarted = state { return true }
        return false
    }

    private func attach(_ newSession: EnrollmentSession) {
        detach()
        session = newSession
        stateTask = Task { [weak self] in
            for await _ in newSession.states() {
                guard let self else { return }
                self.render(busy: self.inFlight)
            }
        }
    }

    private func detach() {
        stateTask?.cancel()
        stateTask = nil
        session?.cancel()
        session = nil
    }

    /// Shows the session's current state and stores its snapshot.
    private func render(busy: Bool = false, error: UserError? = nil) {
        guard let current = session else { return }
        let state = current.state()
        if !isNotStarted(state), let json = try? current.snapshot() {
            snapshots.save(json)
        }
        screen = Screen(SdkMapping.screenKind(for: state, fields: fields ?? SignUpFields(), form: form), busy: busy, error: error)
    }

    /// Attempts left on the step the session is on now (after a failed try).
    private func attemptsLeft() -> Int? {
        switch session?.state() {
        case let .awaitingDocument(_, _, left, _, _): return Int(left)
        case let .awaitingSelfie(left, _, _): return Int(left)
        default: return nil
        }
    }

    private func act(_ action: @escaping () async throws -> Void) async {
        if inFlight { return }
        let before = screen
        screen = Screen(before.kind, busy: true, error: nil)
        inFlight = true
        do {
            try await action()
            await answerChannelChoice()
            inFlight = false
            lastFailed = nil
            if session != nil {
                render()
            } else {
                screen = Screen(before.kind)
            }
        } catch {
            inFlight = false
            lastFailed = action
            let userError = SdkMapping.userError(for: error, attemptsLeft: attemptsLeft())
            if userError.kind == .sessionExpired {
                snapshots.clear()
                screen = Screen(.fatal, error: userError)
            } else if isSignUp(before.kind) {
                // Still on the sign-up form: keep what was typed, show the error.
                screen = Screen(.signUp(fields: fields ?? SignUpFields(), form: form), error: userError)
            } else if session != nil {
                render(error: userError)
            } else {
                screen = Screen(before.kind, error: userError)
            }
        }
    }

    private func isSignUp(_ kind: ScreenKind) -> Bool {
        if case .signUp = kind { return true }
        return false
    }
}
