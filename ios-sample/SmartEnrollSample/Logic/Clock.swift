import Foundation

/// The time source of the sample's logic. Countdowns and announcement throttling read it, so tests
/// can drive them with a manual clock instead of waiting for real time.
public protocol SampleClock: Sendable {
    /// Wall-clock time in Unix milliseconds (the SDK reports resend times in the same unit).
    func nowMillis() -> Int64
    /// Suspends until `millis` have passed on this clock.
    func sleep(millis: Int64) async throws
}

/// The real clock.
public struct SystemClock: SampleClock {
    public init() {}

    public func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    public func sleep(millis: Int64) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, millis)) * 1_000_000)
    }
}
