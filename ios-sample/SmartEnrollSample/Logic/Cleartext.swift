import Foundation
import SmartEnroll

/// The hosts a debug build may reach over plain HTTP besides loopback, from the build setting
/// `SMART_ENROLL_CLEARTEXT_HOSTS` (Config.xcconfig → Info.plist `SmartEnrollCleartextHosts`):
/// host names or IP addresses separated by spaces or commas, e.g. `192.168.1.20 my-mac.local`.
/// Entries that are not a bare host (a URL, a path, a port) are dropped, duplicates once.
public func cleartextHostList(_ setting: String) -> [String] {
    var hosts: [String] = []
    for part in setting.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
        let host = part.trimmingCharacters(in: .whitespaces).lowercased()
        // One colon is `host:port` (not a host); IPv6 addresses have several.
        let colons = host.filter { $0 == ":" }.count
        guard !host.isEmpty, !host.contains("/"), !host.contains("$"), colons != 1 else { continue }
        if !hosts.contains(host) { hosts.append(host) }
    }
    return hosts
}

/// The SDK's plain-HTTP rule for a debug build: loopback only, or loopback and these exact hosts.
/// The SDK enforces it in its own HTTP stack (App Transport Security does not see that traffic).
public func insecureHttp(cleartextHosts: [String]) -> InsecureHttp {
    cleartextHosts.isEmpty ? .loopback : .hosts(hosts: cleartextHosts)
}
