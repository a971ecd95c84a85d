import Foundation
import SmartEnroll

/// The live document screen's pure decisions (issue 13), the same as the Android sample's
/// `DocumentDecisions.kt` (host-tested there): which string a guidance key shows, when a
/// captured page is submitted on its own, what the barcode side reader's progress says, and how
/// the document's own data prefills the sign-up form.
public enum DocumentDecisions {
    /// Every guidance key of `DocumentFeedback.guidanceKey`, in the SDK's priority order.
    public static let guidanceKeys: [String] = [
        "no_document", "move_closer", "move_back", "align", "too_dark", "too_bright", "blurry",
        "glare", "hold_still", "ok",
    ]

    /// Shown for a key this version of the app does not know (a newer SDK).
    public static let guidanceFallback = "doc_guidance_unknown"

    /// The Localizable.strings key of a guidance key: `doc_guidance_<key>`, else the fallback.
    public static func guidanceResource(_ key: String) -> String {
        guidanceKeys.contains(key) ? "doc_guidance_" + key : guidanceFallback
    }

    /// Identical reads in a row that accept a barcode side (the SDK's `SideReader`).
    public static let readsNeeded: Int32 = 3
    /// Failed shots after which the user may continue without the barcode.
    public static let failedShotsAllowed: Int32 = 4

    /// What the screen does once a page is captured.
    public enum AfterCapture: Equatable {
        /// Upload it now, without asking.
        case submit
        /// Show the page and let the user retake it or use it (`doc_mrz_invalid` says why).
        case confirm
    }

    /// A captured page is submitted on its own unless its MRZ was found but fails its check
    /// digits, or the side should carry an MRZ (a passport's data page) and none was read.
    public static func afterCapture(mrz: MrzReading?, expectMrz: Bool) -> AfterCapture {
        if let mrz, !mrz.valid { return .confirm }
        if mrz == nil && expectMrz { return .confirm }
        return .submit
    }

    /// The side reader's progress: a Localizable.strings key and its arguments, and what it allows.
    public struct SideProgress: Equatable {
        public let resource: String
        public let args: [Int32]
        /// The side is read: go on.
        public let done: Bool
        /// Offer "continue without the barcode" (after `failedShotsAllowed` failed shots).
        public let canContinueWithout: Bool
    }

    public static func sideProgress(_ status: SideStatus) -> SideProgress {
        switch status {
        case let .reading(matches, failures):
            if matches == 0 && failures > 0 {
                return SideProgress(resource: "doc_side_retry", args: [failures, failedShotsAllowed],
                                    done: false, canContinueWithout: false)
            }
            return SideProgress(resource: "doc_side_reading", args: [matches, readsNeeded],
                                done: false, canContinueWithout: false)
        case .read:
            return SideProgress(resource: "doc_side_read", args: [], done: true, canContinueWithout: false)
        case .giveUp:
            return SideProgress(resource: "doc_side_give_up", args: [], done: false, canContinueWithout: true)
        }
    }

    /// The back of a barcode document is submitted once its page is captured and its barcode
    /// was read three times alike, or the user chose to continue without it (offered after
    /// four failed shots).
    public static func backReady(pageCaptured: Bool, side: SideProgress?, continuedWithout: Bool) -> Bool {
        guard pageCaptured else { return false }
        if side?.done == true { return true }
        return continuedWithout && side?.canContinueWithout == true
    }

    /// The back side of these categories carries a PDF417 barcode worth reading.
    public static func readsBarcode(category: String, side: DocumentSide) -> Bool {
        side == .back && (category == "id" || category == "driver_license")
    }

    /// The front of a passport carries the MRZ.
    public static func expectsMrz(category: String, side: DocumentSide) -> Bool {
        category == "passport" && side == .front
    }

    /// The sign-up fields a document fills.
    public struct Prefill: Equatable {
        public var firstName: String?
        public var lastName: String?
        public var fullName: String?
    }

    /// The names from the document's own data, in title case; only fields the user left empty
    /// are filled, never overwritten.
    public static func prefill(_ identity: DocumentIdentity?, current: Prefill = Prefill()) -> Prefill {
        let given = identity?.givenNames.map(titleCase).flatMap { $0.isEmpty ? nil : $0 }
        let family = identity?.surnames.map(titleCase).flatMap { $0.isEmpty ? nil : $0 }
        let joined = [given, family].compactMap { $0 }.joined(separator: " ")
        let full: String? = joined.isEmpty ? nil : joined
        func keep(_ typed: String?, _ found: String?) -> String? {
            if let typed, !typed.trimmingCharacters(in: .whitespaces).isEmpty { return typed }
            return found
        }
        return Prefill(firstName: keep(current.firstName, given), lastName: keep(current.lastName, family),
                       fullName: keep(current.fullName, full))
    }

    /// `ANNA MARIA` → `Anna Maria`; `O'NEIL-DIAZ` → `O'Neil-Diaz`.
    public static func titleCase(_ name: String) -> String {
        let words = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        var out = ""
        var startOfWord = true
        for character in words {
            out += startOfWord ? character.uppercased() : character.lowercased()
            startOfWord = !character.isLetter
        }
        return out
    }
}
