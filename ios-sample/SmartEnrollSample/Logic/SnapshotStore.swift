import Foundation

/// Where the controller keeps the SDK's session snapshot (a versioned JSON document holding the
/// registrant token), so the app resumes after being killed. The app uses the Keychain
/// (`KeychainSnapshotStore`); writes must be atomic. Any method may throw (a Keychain that is
/// locked, damaged or refuses the item): `SnapshotKeeper` turns every failure into "start fresh".
public protocol SnapshotStore: AnyObject, Sendable {
    func load() throws -> String?
    func save(_ snapshot: String) throws
    func clear() throws
}

/// A store that keeps the snapshot in memory only.
public final class InMemorySnapshotStore: SnapshotStore, @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?

    public init() {}

    public func load() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    public func save(_ snapshot: String) {
        lock.lock()
        defer { lock.unlock() }
        value = snapshot
    }

    public func clear() {
        lock.lock()
        defer { lock.unlock() }
        value = nil
    }
}

/// Runs every snapshot-store call on one serial background queue (never the main thread; the
/// order of saves and clears is kept), and turns any store failure into a fresh start: the
/// snapshot is deleted and the app begins a new enrollment instead of crashing on every launch.
public final class SnapshotKeeper: @unchecked Sendable {
    private let store: SnapshotStore
    private let queue: DispatchQueue
    /// Called (on the keeper's queue) when a store call failed and the snapshot was dropped.
    private let onFailure: @Sendable (Error) -> Void

    public init(
        store: SnapshotStore,
        queue: DispatchQueue = DispatchQueue(label: "smart-enroll.sample.snapshot", qos: .userInitiated),
        onFailure: @escaping @Sendable (Error) -> Void = { _ in }
    ) {
        self.store = store
        self.queue = queue
        self.onFailure = onFailure
    }

    /// The stored snapshot, or nil: none stored, or the store failed (then it is deleted).
    public func load() async -> String? {
        // A detached task waits for the queue (a short Keychain read), never the main thread.
        await Task.detached(priority: .userInitiated) { [self] in
            queue.sync { () -> String? in
                do {
                    return try store.load()
                } catch {
                    discard(after: error)
                    return nil
                }
            }
        }.value
    }

    /// Stores the snapshot in the background; a failure deletes the stored one (an old snapshot
    /// must not be resumed later in place of the newer state).
    public func save(_ snapshot: String) {
        queue.async { [self] in
            do {
                try store.save(snapshot)
            } catch {
                discard(after: error)
            }
        }
    }

    /// Deletes the snapshot in the background, after any save queued before it.
    public func clear() {
        queue.async { [self] in
            do {
                try store.clear()
            } catch {
                onFailure(error)
            }
        }
    }

    /// Waits until every queued store call has run (tests, and before the app is suspended).
    public func flush() async {
        await Task.detached(priority: .userInitiated) { [queue] in
            queue.sync {}
        }.value
    }

    /// On first launch after an install, deletes a snapshot left by an earlier install: the
    /// Keychain survives uninstalling the app, UserDefaults do not. `defaults` remembers that
    /// this install has started once. Returns whether this was the first launch.
    @discardableResult
    public func clearIfFirstLaunch(defaults: UserDefaults, key: String = SnapshotKeeper.installMarkerKey) -> Bool {
        if defaults.bool(forKey: key) { return false }
        clear()
        defaults.set(true, forKey: key)
        return true
    }

    /// The UserDefaults key marking that this install has launched before.
    public static let installMarkerKey = "smartenroll.sample.installed"

    private func discard(after error: Error) {
        try? store.clear()
        onFailure(error)
    }
}
