import Foundation

/// The criminal background check, as the review screen words it.
public enum CriminalCheckResult: Equatable, Sendable {
    /// No source reported a record (server status `ACTIVE`).
    case clear
    /// At least one source reported a record (server status `FAILED`).
    case recordFound
    /// The check has not finished yet (server status `ASSESSING`).
    case assessing
}

/// A score next to the flow's minimum, in whole percent (0.92 → 92), and the verdict.
public struct ScoreLine: Equatable, Sendable {
    public var percent: Int
    public var minPercent: Int
    public var passed: Bool

    public init(percent: Int, minPercent: Int, passed: Bool) {
        self.percent = percent
        self.minPercent = minPercent
        self.passed = passed
    }
}

/// One line of what the server read from the document: `labelKey` is the Localizable.strings key
/// of the label (one of `reviewFieldKeys`), `value` the text the server extracted.
public struct ReviewField: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var labelKey: String
    public var value: String

    public init(labelKey: String, value: String) {
        self.labelKey = labelKey
        self.value = value
    }

    /// Personal data: the value is never printed.
    public var description: String { "ReviewField(\(labelKey)=<redacted>)" }
    public var debugDescription: String { description }
}

/// The labels of the document's fields, in the order the review screen shows them (the same keys
/// as the Android sample's `ReviewSummary.FIELD_KEYS`).
public let reviewFieldKeys: [String] = [
    "review_field_names",
    "review_field_document_type",
    "review_field_document_number",
    "review_field_date_of_birth",
    "review_field_expiration_date",
    "review_field_nationality",
]

/// One field where the server's OCR and the document's own machine-readable zone or barcode
/// (read on the device, handed to the session with `setDocumentData`) disagree: `labelKey` is the
/// Localizable.strings key of the field's label (one of `reviewFieldKeys`), `server` what the
/// server read, `document` what the document's code says.
public struct ReviewDisagreement: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var labelKey: String
    public var server: String
    public var document: String

    public init(labelKey: String, server: String, document: String) {
        self.labelKey = labelKey
        self.server = server
        self.document = document
    }

    /// The label of a field the SDK's `FieldDisagreement.field` names.
    public static func labelKey(field: String) -> String {
        switch field {
        case "first_name", "last_name", "full_name": return "review_field_names"
        case "document_number": return "review_field_document_number"
        case "date_of_birth": return "review_field_date_of_birth"
        default: return "review_field_other"
        }
    }

    /// Personal data: the values are never printed.
    public var description: String { "ReviewDisagreement(\(labelKey), <redacted>)" }
    public var debugDescription: String { description }
}

/// What the review screen shows before the user confirms (SDK state `awaitingReview`): the
/// document's OCR fields, whether the names match the sign-up, the liveness and face-match
/// scores with the flow's minimums, and the criminal check. Mapped from the SDK's `Review` by
/// `SdkMapping.reviewSummary`; "Confirm" calls `confirm()`, which ends the enrollment.
public struct ReviewSummary: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The document's fields in `reviewFieldKeys` order, only those the server read; empty
    /// without a document.
    public var documentFields: [ReviewField]
    /// `nil` when no name check ran.
    public var namesMatch: Bool?
    public var liveness: ScoreLine?
    public var compare: ScoreLine?
    /// `nil` when no criminal check ran.
    public var criminalCheck: CriminalCheckResult?
    /// A check did not pass: confirming records the enrollment as not verified.
    public var expectedToFail: Bool
    /// Where the server's OCR and the document's machine-readable data disagree (informational:
    /// the user sees what to check); empty when they agree or the app had no such data.
    public var disagreements: [ReviewDisagreement]
    /// The app read the document's MRZ or barcode and the server's OCR was compared with it.
    public var documentCodeCompared: Bool

    public init(
        documentFields: [ReviewField],
        namesMatch: Bool?,
        liveness: ScoreLine?,
        compare: ScoreLine?,
        criminalCheck: CriminalCheckResult?,
        expectedToFail: Bool,
        disagreements: [ReviewDisagreement] = [],
        documentCodeCompared: Bool = false
    ) {
        self.documentFields = documentFields
        self.namesMatch = namesMatch
        self.liveness = liveness
        self.compare = compare
        self.criminalCheck = criminalCheck
        self.expectedToFail = expectedToFail
        self.disagreements = disagreements
        self.documentCodeCompared = documentCodeCompared
    }

    /// A 0...1 score in whole percent, clamped to 0...100.
    public static func percent(_ score: Double) -> Int {
        guard score.isFinite else { return 0 }
        return min(100, max(0, Int((score * 100).rounded())))
    }

    /// The OCR values are personal data: only their labels are printed.
    public var description: String {
        "ReviewSummary(documentFields: \(documentFields.map(\.labelKey)), namesMatch: \(String(describing: namesMatch)), "
            + "liveness: \(String(describing: liveness)), compare: \(String(describing: compare)), "
            + "criminalCheck: \(String(describing: criminalCheck)), expectedToFail: \(expectedToFail), "
            + "disagreements: \(disagreements.map(\.labelKey)), documentCodeCompared: \(documentCodeCompared))"
    }

    public var debugDescription: String { description }
}
