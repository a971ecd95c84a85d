import Foundation

/// What went wrong, as the sample's logic sees it. The controller maps every SDK error to one of
/// these in a single place (`EnrollController.kind(of:)`); views never inspect SDK errors.
public enum ErrorKind: String, CaseIterable, Sendable {
    case network, timeout, server
    case rateLimited = "rate_limited"
    case invalidInput = "invalid_input"
    case otpMismatch = "otp_mismatch"
    case otpExpired = "otp_expired"
    case otpLocked = "otp_locked"
    case invalidImage = "invalid_image"
    case livenessFailed = "liveness_failed"
    case faceAlreadyExists = "face_already_exists"
    case attemptsExhausted = "attempts_exhausted"
    case alreadyRegistered = "already_registered"
    case sessionExpired = "session_expired"
    case paymentRequired = "payment_required"
    case cancelled
    case configuration
    /// The server's certificate failed the pinning or trust check: the connection may be
    /// intercepted (captive portal, proxy). Another network may work.
    case insecureConnection = "insecure_connection"
    case invalidState = "invalid_state"
    case unknown
}

/// The action a screen offers after an error.
public enum RecoveryAction: Sendable {
    case retry, fixInput, wait, resendCode, retakePhoto, restart, none
}

/// An error as shown to the user: a Localizable.strings key, the recovery, an optional wait.
public struct UserError: Equatable, Sendable {
    public let kind: ErrorKind
    public let action: RecoveryAction
    public let messageKey: String
    public let retryAfterSeconds: Int64?
    public let score: Double?
    /// For invalid input: the field to correct (`email`, `phone`, `terms`...), when known.
    public var field: String? = nil
}

/// The retry and skip decisions of the sample app (the same table as the Android sample's).
public enum Decisions {
    public static func recovery(for kind: ErrorKind, attemptsLeft: Int? = nil) -> RecoveryAction {
        switch kind {
        case .network, .timeout, .server, .insecureConnection: return .retry
        case .rateLimited: return .wait
        case .invalidInput, .otpMismatch: return .fixInput
        case .otpExpired, .otpLocked: return .resendCode
        case .invalidImage: return .retakePhoto
        case .livenessFailed:
            if let left = attemptsLeft, left <= 0 { return .restart }
            return .retakePhoto
        case .faceAlreadyExists, .attemptsExhausted, .alreadyRegistered, .sessionExpired,
             .paymentRequired, .configuration:
            return .restart
        case .cancelled: return .none
        case .invalidState, .unknown: return .retry
        }
    }

    public static func messageKey(for kind: ErrorKind) -> String {
        "error_" + kind.rawValue
    }

    public static func userError(
        _ kind: ErrorKind,
        attemptsLeft: Int? = nil,
        retryAfterSeconds: Int64? = nil,
        score: Double? = nil,
        field: String? = nil
    ) -> UserError {
        UserError(
            kind: kind,
            action: recovery(for: kind, attemptsLeft: attemptsLeft),
            messageKey: messageKey(for: kind),
            retryAfterSeconds: retryAfterSeconds,
            score: score,
            field: field
        )
    }

    /// "Skip this step" is offered only for steps the flow made optional.
    public static func canSkip(optional: Bool, busy: Bool) -> Bool {
        optional && !busy
    }

    /// What a capture screen (selfie, document) does after its upload failed (the same table as
    /// the Android sample's `Decisions.afterCaptureError`). Capture starts again only when the
    /// recovery is `retakePhoto` (the photo was refused and attempts remain); a network, timeout
    /// or server error keeps the photo and offers "Try again" (the same upload, on the user's
    /// tap); a wait waits; everything else (an attempt-consuming outcome such as
    /// `faceAlreadyExists`, attempts exhausted, an expired session) stops the capture and
    /// explains, with "Start over". Never a new upload without a user action.
    public static func afterCaptureError(_ error: UserError?) -> CaptureRecovery {
        guard let error else { return .capture }
        switch error.action {
        case .retakePhoto: return .retake
        case .retry: return .retryUpload
        case .wait: return .wait
        // Cancelled by the user: nothing restarts by itself; the screen's own button goes on.
        case .none: return .retryUpload
        case .restart, .fixInput, .resendCode: return .stop
        }
    }

    /// Whether the selfie screen re-arms the camera for a new capture after this error.
    public static func retakeSelfie(_ error: UserError) -> Bool {
        afterCaptureError(error) == .retake
    }

    /// Whether a capture screen may capture now (the selfie's analysis runs, the document's
    /// "Take photo" is enabled): not while an upload runs, and after an error only when it asks
    /// for a new photo.
    public static func mayCapture(busy: Bool, error: UserError?) -> Bool {
        guard !busy else { return false }
        let next = afterCaptureError(error)
        return next == .capture || next == .retake
    }
}

/// What a capture screen does after an upload (`Decisions.afterCaptureError`).
public enum CaptureRecovery: Equatable, Sendable {
    /// No error: capture as usual.
    case capture
    /// The photo was refused and attempts remain: capture a new one.
    case retake
    /// A transient failure (network, timeout, server): keep the photo, offer "Try again".
    case retryUpload
    /// The server asks to wait: offer the upload again after the wait.
    case wait
    /// Attempts used up, the face already enrolled, the session gone...: stop and explain.
    case stop
}
