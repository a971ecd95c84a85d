import Foundation

/// A resend countdown: the code can be sent again at `availableAtMillis` (Unix ms, as reported by
/// the SDK's awaiting-code states or a cooldown error's retry-after).
public struct ResendCountdown: Equatable, Sendable {
    public let availableAtMillis: Int64

    public init(availableAtMillis: Int64) {
        self.availableAtMillis = availableAtMillis
    }

    public static func after(nowMillis: Int64, seconds: Int64) -> ResendCountdown {
        ResendCountdown(availableAtMillis: nowMillis + max(0, seconds) * 1000)
    }

    /// Whole seconds left, rounded up, never negative: 0 means "resend now".
    public func secondsLeft(nowMillis: Int64) -> Int {
        let left = availableAtMillis - nowMillis
        return left <= 0 ? 0 : Int((left + 999) / 1000)
    }

    public func canResend(nowMillis: Int64) -> Bool {
        secondsLeft(nowMillis: nowMillis) == 0
    }

    /// The seconds left now and then once a second on `clock`, down to and including 0.
    public func ticks(clock: SampleClock) -> AsyncStream<Int> {
        AsyncStream { continuation in
            let task = Task {
                while !Task.isCancelled {
                    let now = clock.nowMillis()
                    let left = secondsLeft(nowMillis: now)
                    continuation.yield(left)
                    if left == 0 { break }
                    let untilNextChange = (availableAtMillis - now) - Int64(left - 1) * 1000
                    do {
                        try await clock.sleep(millis: min(1000, max(1, untilNextChange)))
                    } catch {
                        break
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// "m:ss" for a countdown label.
public func formatCountdown(_ seconds: Int) -> String {
    let s = max(0, seconds)
    return String(format: "%d:%02d", s / 60, s % 60)
}

public let otpLength = 6

/// Keeps only the digits a user typed or pasted, at most 6.
public func normaliseCode(_ input: String) -> String {
    String(input.filter { $0.isASCII && $0.isNumber }.prefix(otpLength))
}

/// Whether `code` is a complete 6-digit one-time code.
public func isCompleteCode(_ code: String) -> Bool {
    code.count == otpLength && code.allSatisfy { $0.isASCII && $0.isNumber }
}
