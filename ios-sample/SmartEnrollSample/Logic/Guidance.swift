import Foundation
import SmartEnroll

/// The prefilter's guidance codes as stable snake_case keys (`faceNotFound` → `face_not_found`),
/// the same keys as the core's and the Android sample's.
public func guidanceKey(_ code: GuidanceCode) -> String {
    var key = ""
    for character in "\(code)" {
        if character.isUppercase {
            key += "_" + character.lowercased()
        } else {
            key.append(character)
        }
    }
    return key
}

/// Every key the prefilter emits, in its priority order (each has `guidance_<key>` strings).
public let guidanceKeys: [String] = [
    "face_not_found", "multiple_faces", "face_too_close", "face_too_small", "face_off_center",
    "head_turned", "head_tilted", "too_dark", "too_bright", "blurry", "moving",
    "turn_head_left", "turn_head_right", "look_straight", "blink", "challenge_failed", "hold_still",
    "captured",
]

/// The Localizable.strings key for a guidance key; unknown keys (a newer SDK) fall back.
public func guidanceResourceName(_ key: String) -> String {
    guidanceKeys.contains(key) ? "guidance_" + key : "guidance_unknown"
}
