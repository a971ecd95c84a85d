import Foundation
import SmartEnroll

/// The sandbox URL, project and flow, and the hosts a debug build may reach over plain HTTP,
/// from Info.plist, which takes them from `Config.xcconfig` (`SMART_ENROLL_API_URL`,
/// `SMART_ENROLL_PROJECT_ID`, `SMART_ENROLL_FLOW_ID`, `SMART_ENROLL_CLEARTEXT_HOSTS`).
struct SampleConfig {
    let apiUrl: String
    let projectId: String
    let flowId: String?
    /// Exact host names or IP addresses (besides loopback) a debug build may reach over plain
    /// HTTP, e.g. the Mac's LAN address for a phone: `SMART_ENROLL_CLEARTEXT_HOSTS`.
    var cleartextHosts: [String] = []

    enum ConfigError: Error, CustomStringConvertible {
        case missing(String)

        var description: String {
            switch self {
            case let .missing(key): return "\(key) is not set: edit ios-sample/Config.xcconfig and rebuild"
            }
        }
    }

    static func fromBundle(_ bundle: Bundle = .main) throws -> SampleConfig {
        func value(_ key: String) -> String {
            (bundle.object(forInfoDictionaryKey: key) as? String ?? "").trimmingCharacters(in: .whitespaces)
        }
        let apiUrl = value("SmartEnrollApiUrl")
        let projectId = value("SmartEnrollProjectId")
        let flowId = value("SmartEnrollFlowId")
        guard !apiUrl.isEmpty else { throw ConfigError.missing("SMART_ENROLL_API_URL") }
        guard !projectId.isEmpty else { throw ConfigError.missing("SMART_ENROLL_PROJECT_ID") }
        return SampleConfig(
            apiUrl: apiUrl,
            projectId: projectId,
            flowId: flowId.isEmpty ? nil : flowId,
            cleartextHosts: cleartextHostList(value("SmartEnrollCleartextHosts"))
        )
    }
}

/// The SDK client configuration. Debug builds accept plain HTTP to loopback addresses (the
/// sandbox on the Mac, reached from the simulator as `localhost`) and to the hosts listed in
/// `SMART_ENROLL_CLEARTEXT_HOSTS` (the Mac's address, for a phone); release builds are
/// HTTPS-only. The SDK enforces this itself (`InsecureHttp`): its HTTP stack does not go through
/// URLSession, so App Transport Security does not apply to it.
func makeClientConfig(_ config: SampleConfig) -> ClientConfig {
    #if DEBUG
    let insecure: InsecureHttp? = insecureHttp(cleartextHosts: config.cleartextHosts)
    #else
    let insecure: InsecureHttp? = .never
    #endif
    return ClientConfig(
        baseUrl: config.apiUrl,
        allowInsecureHttp: insecure,
        userAgent: "smart-enroll-ios-sample/0.1.0",
        platform: .ios
    )
}
