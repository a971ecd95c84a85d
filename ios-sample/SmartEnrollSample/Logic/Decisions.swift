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

    /// What a capture screen (selfie, document) does after an upload failed. Only the SDK's
    /// `retakePhoto` recovery (the photo was the problem, attempts remain) captures again; a
    /// network-type failure keeps the photo and offers "Try again" (the same upload, no new
    /// attempt); everything else (an attempt-consuming outcome such as `faceAlreadyExists`, no
    /// attempts left, an expired session) stops the capture and the error explains.
    public static func afterCaptureError(_ error: UserError) -> CaptureNext {
        switch error.action {
        case .retakePhoto: return .retake
        case .retry, .wait: return .offerRetry
        case .fixInput, .resendCode, .restart, .none: return .stop
        }
    }

    /// Whether the selfie screen re-arms the camera for a new capture after this error (the same
    /// decision as the Android sample's `Decisions.retakeSelfie`).
    public static func retakeSelfie(_ error: UserError) -> Bool {
        afterCaptureError(error) == .retake
    }

    /// Whether the document screen offers the camera and the file picker again after this error.
    public static func retakeDocument(_ error: UserError) -> Bool {
        afterCaptureError(error) == .retake
    }

    /// The selfie is captured automatically only when the SDK's face detector runs (ONNX Runtime
    /// loaded): in quality-only mode any sharp, well-lit frame would be uploaded, face or not.
    public static func autoCaptureEnabled(detectorAvailable: Bool) -> Bool {
        detectorAvailable
    }
}

/// The capture screens' next step after a failed upload (`Decisions.afterCaptureError`).
public enum CaptureNext: Equatable, Sendable {
    /// Capture a new photo: the SDK's recovery is `retakePhoto`.
    case retake
    /// Keep the photo and offer "Try again" (network, timeout, server, rate limit).
    case offerRetry
    /// Stop capturing; the error says why and what to do.
    case stop
}
