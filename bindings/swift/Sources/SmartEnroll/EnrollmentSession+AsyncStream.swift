// Hand-written Swift adapters over the generated bindings (SmartEnroll.swift).

/// Forwards state changes into an `AsyncStream` continuation.
private final class StreamObserver: StateObserver, @unchecked Sendable {
    private let continuation: AsyncStream<EnrollState>.Continuation

    init(_ continuation: AsyncStream<EnrollState>.Continuation) {
        self.continuation = continuation
    }

    func onStateChanged(state: EnrollState) {
        continuation.yield(state)
    }
}

extension EnrollmentSession {
    /// The session's states as an `AsyncStream`: the current state first (replayed to every new
    /// stream), then every change, until the consuming task stops iterating (which unregisters
    /// the observer). The observer is registered when `states()` is called, so a stream taken
    /// before `start()` begins with `.notStarted`. A failed automatic step shows as
    /// `.interrupted` (call `resume()`): a UI that only watches the stream never waits on
    /// `.processing` forever. States come from SDK threads; iterate on the `@MainActor` to
    /// drive UI. No state is dropped.
    public func states() -> AsyncStream<EnrollState> {
        AsyncStream(bufferingPolicy: .unbounded) { continuation in
            let handle = self.observe(observer: StreamObserver(continuation))
            continuation.onTermination = { @Sendable _ in
                handle.cancel()
            }
        }
    }
}

extension EnrollState {
    /// Whether the enrollment has ended (`.completed`, whatever the outcome).
    public var isTerminal: Bool {
        if case .completed = self { return true }
        return false
    }

    /// The result once the enrollment has ended (`.completed`), else `nil`: Swift's equivalent
    /// of Kotlin's smart-casting `isTerminal()`, e.g. `if let result = state.result { ... }`.
    public var result: EnrollResult? {
        if case let .completed(result) = self { return result }
        return nil
    }
}

/// `description` (the generated Rust `Display` text) makes the error's human-readable English
/// text, without personal data, its `localizedDescription` / `errorDescription` too.
extension SmartEnrollError: CustomStringConvertible {
    /// The error's human-readable English text (no personal data), as Kotlin's `message`.
    public var message: String { description }
}
