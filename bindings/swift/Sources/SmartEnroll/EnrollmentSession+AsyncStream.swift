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
    /// The session's states as an `AsyncStream`: the current state first, then every change,
    /// until the consuming task stops iterating (which unregisters the observer). States come
    /// from SDK threads; iterate on the `@MainActor` to drive UI. No state is dropped.
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
}
