import Foundation

/// Where the controller keeps the SDK's session snapshot (a versioned JSON document holding the
/// registrant token), so the app resumes after being killed. The app uses the Keychain
/// (`KeychainSnapshotStore`); writes must be atomic.
public protocol SnapshotStore: AnyObject {
    func load() -> String?
    func save(_ snapshot: String) throws
    func clear()
}

/// A store that keeps the snapshot in memory only.
public final class InMemorySnapshotStore: SnapshotStore {
    private var value: String?

    public init() {}

    public func load() -> String? { value }

    public func save(_ snapshot: String) throws { value = snapshot }

    public func clear() { value = nil }
}
