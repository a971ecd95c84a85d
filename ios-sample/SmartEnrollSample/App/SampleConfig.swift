import Foundation
import SmartEnroll

/// The sandbox URL, project and flow, from Info.plist, which takes them from `Config.xcconfig`
/// (`SMART_ENROLL_API_URL`, `SMART_ENROLL_PROJECT_ID`, `SMART_ENROLL_FLOW_ID`).
struct SampleConfig {
    let apiUrl: String
    let projectId: String
    let flowId: String?

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
        return SampleConfig(apiUrl: apiUrl, projectId: projectId, flowId: flowId.isEmpty ? nil : flowId)
    }
}

/// The SDK client configuration. Debug builds accept plain HTTP to loopback addresses (the
/// sandbox on the Mac, reached from the simulator as `localhost`); release builds are HTTPS-only.
func makeClientConfig(apiUrl: String) -> ClientConfig {
    #if DEBUG
    let insecure: InsecureHttp? = .loopback
    #else
    let insecure: InsecureHttp? = nil
    #endif
    return ClientConfig(
        baseUrl: apiUrl,
        allowInsecureHttp: insecure,
        userAgent: "smart-enroll-ios-sample/0.1.0",
        platform: .ios
    )
}
