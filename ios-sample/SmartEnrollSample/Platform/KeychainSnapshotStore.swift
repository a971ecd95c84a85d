import Foundation
import Security

/// Keeps the SDK session snapshot in the Keychain: a generic-password item readable only while
/// the device is unlocked, never synced to iCloud and never restored to another device
/// (`kSecAttrAccessibleWhenUnlockedThisDeviceOnly`). Each save replaces the item in one
/// `SecItemUpdate`/`SecItemAdd` call, so a crash leaves the old snapshot or the new one. The
/// Keychain survives uninstalling the app: `SnapshotKeeper.clearIfFirstLaunch` deletes an
/// earlier install's snapshot on the first launch.
public final class KeychainSnapshotStore: SnapshotStore {
    public enum StoreError: Error, Equatable {
        case keychain(OSStatus)
        case unreadable
    }

    private let service: String
    private let account = "session-snapshot"

    public init(service: String = (Bundle.main.bundleIdentifier ?? "SmartEnrollSample") + ".snapshot") {
        self.service = service
    }

    private var baseQuery: [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: account,
        ]
    }

    /// The stored snapshot; nil when there is none. Any other Keychain answer, or bytes that are
    /// not UTF-8, throw: `SnapshotKeeper` then deletes the item and the app starts fresh.
    public func load() throws -> String? {
        var query = baseQuery
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess else { throw StoreError.keychain(status) }
        guard let data = item as? Data, let text = String(data: data, encoding: .utf8) else {
            throw StoreError.unreadable
        }
        return text
    }

    public func save(_ snapshot: String) throws {
        let data = Data(snapshot.utf8)
        let attributes: [String: Any] = [
            kSecValueData as String: data,
            kSecAttrAccessible as String: kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
        ]
        let status = SecItemUpdate(baseQuery as CFDictionary, attributes as CFDictionary)
        if status == errSecItemNotFound {
            var add = baseQuery
            add.merge(attributes) { _, new in new }
            let added = SecItemAdd(add as CFDictionary, nil)
            guard added == errSecSuccess else { throw StoreError.keychain(added) }
        } else if status != errSecSuccess {
            throw StoreError.keychain(status)
        }
    }

    public func clear() throws {
        let status = SecItemDelete(baseQuery as CFDictionary)
        guard status == errSecSuccess || status == errSecItemNotFound else { throw StoreError.keychain(status) }
    }
}
