import CoreVideo
import Foundation
import SmartEnroll
import UIKit
import XCTest
@testable import SmartEnrollSample

// The Kotlin logic module's host tests (android-sample/logic/src/test), ported to XCTest for
// the Swift Logic/ folder, plus the iOS-only decisions (snapshot keeper, first launch, cleartext
// hosts). Runs only on macOS (`xcodebuild test`, .github/workflows/mobile.yml).

/// A clock the test moves by hand.
final class ManualClock: SampleClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64

    init(start: Int64) { now = start }

    func nowMillis() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return now
    }

    func advance(_ millis: Int64) {
        lock.lock()
        defer { lock.unlock() }
        now += millis
    }

    func sleep(millis: Int64) async throws { advance(max(0, millis)) }
}

final class CountdownTests: XCTestCase {
    func testSecondsLeftRoundsUpAndStopsAtZero() {
        let c = ResendCountdown(availableAtMillis: 10_000)
        XCTAssertEqual(c.secondsLeft(nowMillis: 0), 10)
        XCTAssertEqual(c.secondsLeft(nowMillis: 1), 10)
        XCTAssertEqual(c.secondsLeft(nowMillis: 9_999), 1)
        XCTAssertEqual(c.secondsLeft(nowMillis: 10_000), 0)
        XCTAssertEqual(c.secondsLeft(nowMillis: 99_000), 0)
        XCTAssertFalse(c.canResend(nowMillis: 9_999))
        XCTAssertTrue(c.canResend(nowMillis: 10_000))
    }

    func testTicksOncePerSecondOnTheInjectedClockDownToZero() async {
        let clock = ManualClock(start: 0)
        var ticks: [Int] = []
        for await left in ResendCountdown(availableAtMillis: 3_500).ticks(clock: clock) {
            ticks.append(left)
        }
        XCTAssertEqual(ticks, [4, 3, 2, 1, 0])
        XCTAssertEqual(clock.nowMillis(), 3_500)
    }

    func testRetryAfterBuildsACountdownFromNow() {
        XCTAssertEqual(ResendCountdown.after(nowMillis: 5_000, seconds: 60).secondsLeft(nowMillis: 5_000), 60)
        XCTAssertEqual(ResendCountdown.after(nowMillis: 5_000, seconds: -3).secondsLeft(nowMillis: 5_000), 0)
    }

    func testCountdownLabelAndCodeInput() {
        XCTAssertEqual(formatCountdown(65), "1:05")
        XCTAssertEqual(formatCountdown(-4), "0:00")
        XCTAssertEqual(normaliseCode(" 123-456 7"), "123456")
        XCTAssertTrue(isCompleteCode("000123"))
        XCTAssertFalse(isCompleteCode("12345"))
        XCTAssertFalse(isCompleteCode("12345a"))
    }
}

final class GuidanceAnnouncerTests: XCTestCase {
    func testAnnouncesOnlyStableChangesAndThrottles() {
        let clock = ManualClock(start: 0)
        let a = GuidanceAnnouncer(clock: clock, stableMillis: 600, minGapMillis: 2_000)
        XCTAssertNil(a.onFrame(key: "face_not_found"))
        clock.advance(300)
        XCTAssertNil(a.onFrame(key: "face_not_found"))
        clock.advance(300)
        XCTAssertEqual(a.onFrame(key: "face_not_found"), "face_not_found")
        clock.advance(100)
        XCTAssertNil(a.onFrame(key: "face_not_found"))
        XCTAssertNil(a.onFrame(key: "too_dark"))
        clock.advance(50)
        XCTAssertNil(a.onFrame(key: "face_too_small"))
        clock.advance(700)
        XCTAssertNil(a.onFrame(key: "face_too_small"))
        clock.advance(1_000)
        XCTAssertNil(a.onFrame(key: "face_too_small"))
        clock.advance(200)
        XCTAssertEqual(a.onFrame(key: "face_too_small"), "face_too_small")
    }

    func testCaptureIsAnnouncedAtOnceAndResetForgets() {
        let clock = ManualClock(start: 0)
        let a = GuidanceAnnouncer(clock: clock)
        XCTAssertEqual(a.onFrame(key: "captured", captured: true), "captured")
        a.reset()
        XCTAssertNil(a.onFrame(key: "hold_still"))
        clock.advance(600)
        XCTAssertEqual(a.onFrame(key: "hold_still"), "hold_still")
    }
}

final class DecisionsTests: XCTestCase {
    func testEveryErrorKindHasARecoveryAndAMessageKey() {
        for kind in ErrorKind.allCases {
            XCTAssertEqual(Decisions.userError(kind).messageKey, "error_" + kind.rawValue)
        }
        XCTAssertEqual(Decisions.recovery(for: .network), .retry)
        XCTAssertEqual(Decisions.recovery(for: .rateLimited), .wait)
        XCTAssertEqual(Decisions.recovery(for: .otpMismatch), .fixInput)
        XCTAssertEqual(Decisions.recovery(for: .otpLocked), .resendCode)
        XCTAssertEqual(Decisions.recovery(for: .sessionExpired), .restart)
        XCTAssertEqual(Decisions.recovery(for: .cancelled), RecoveryAction.none)
    }

    func testLivenessFailureRetakesWhileAttemptsRemain() {
        XCTAssertEqual(Decisions.recovery(for: .livenessFailed, attemptsLeft: 2), .retakePhoto)
        XCTAssertEqual(Decisions.recovery(for: .livenessFailed, attemptsLeft: nil), .retakePhoto)
        XCTAssertEqual(Decisions.recovery(for: .livenessFailed, attemptsLeft: 0), .restart)
        XCTAssertTrue(Decisions.retakeSelfie(Decisions.userError(.livenessFailed, attemptsLeft: 1)))
        XCTAssertFalse(Decisions.retakeSelfie(Decisions.userError(.faceAlreadyExists)))
    }

    /// After a failed selfie or document upload, capture restarts only when the SDK's error asks
    /// for a new photo: every SDK error variant (through the app's one mapping), with and without
    /// attempts left (the Android host test `captureRestartsOnlyWhenTheErrorAsksForANewPhoto`).
    func testCaptureRestartsOnlyWhenTheErrorAsksForANewPhoto() {
        func after(_ error: SmartEnrollError, attemptsLeft: Int? = 2) -> CaptureRecovery {
            Decisions.afterCaptureError(SdkMapping.userError(for: error, attemptsLeft: attemptsLeft))
        }
        let expected: [(SmartEnrollError, CaptureRecovery)] = [
            (.Network(detail: "offline"), .retryUpload),
            (.Timeout(detail: "slow"), .retryUpload),
            (.Server(status: 503, code: "unavailable"), .retryUpload),
            (.MalformedResponse(reason: "html"), .retryUpload),
            (.RateLimited(code: "too_many", retryAfterMs: 5_000), .wait),
            (.InvalidInput(field: "image", reason: "not a JPEG"), .retake),
            (.InvalidInput(field: "email", reason: "bad"), .stop),
            (.OtpMismatch, .stop),
            (.OtpLocked, .stop),
            (.OtpExpired, .stop),
            (.LivenessFailed(score: 0.2), .retake),
            // Uses an attempt and will fail again with the same face: stop and explain.
            (.FaceAlreadyExists, .stop),
            (.AttemptsExhausted(step: "liveness"), .stop),
            (.AlreadyRegistered(field: "email"), .stop),
            (.SessionExpired(reason: "token"), .stop),
            (.NotFound(code: "flow"), .stop),
            (.Forbidden(code: "project"), .stop),
            (.PaymentRequired(code: "plan"), .stop),
            (.Rejected(status: 413, code: "image_too_large"), .retake),
            (.Rejected(status: 400, code: "other"), .retryUpload),
            (.InvalidState(reason: "stale"), .retryUpload),
            (.Cancelled, .retryUpload),
            (.Config(reason: "url"), .stop),
            (.CertificatePinMismatch(host: "h"), .retryUpload),
            (.UntrustedCertificate(host: "h", reason: "r"), .retryUpload),
            (.FaceDetectorUnavailable(reason: "none"), .retryUpload),
            // The app's OCR failed on a captured page (the page is kept): no new photo.
            (.TextRecognitionFailed(reason: "ocr"), .retryUpload),
            (.Internal(reason: "bug"), .retryUpload),
        ]
        // Every SDK error variant is covered: `variant` has no `default`, so a new variant does
        // not compile until it is decided here too.
        func variant(_ error: SmartEnrollError) -> String {
            switch error {
            case .Network: return "Network"
            case .Timeout: return "Timeout"
            case .Server: return "Server"
            case .RateLimited: return "RateLimited"
            case .InvalidInput: return "InvalidInput"
            case .OtpMismatch: return "OtpMismatch"
            case .OtpLocked: return "OtpLocked"
            case .OtpExpired: return "OtpExpired"
            case .LivenessFailed: return "LivenessFailed"
            case .FaceAlreadyExists: return "FaceAlreadyExists"
            case .AttemptsExhausted: return "AttemptsExhausted"
            case .AlreadyRegistered: return "AlreadyRegistered"
            case .SessionExpired: return "SessionExpired"
            case .NotFound: return "NotFound"
            case .Forbidden: return "Forbidden"
            case .PaymentRequired: return "PaymentRequired"
            case .Rejected: return "Rejected"
            case .InvalidState: return "InvalidState"
            case .MalformedResponse: return "MalformedResponse"
            case .Cancelled: return "Cancelled"
            case .Config: return "Config"
            case .CertificatePinMismatch: return "CertificatePinMismatch"
            case .UntrustedCertificate: return "UntrustedCertificate"
            case .FaceDetectorUnavailable: return "FaceDetectorUnavailable"
            case .TextRecognitionFailed: return "TextRecognitionFailed"
            case .Internal: return "Internal"
            }
        }
        XCTAssertEqual(Set(expected.map { variant($0.0) }).count, 26, "every SDK error variant once or more")
        for (error, want) in expected {
            XCTAssertEqual(after(error), want, variant(error))
        }
        // The liveness failure on the last attempt: no new photo, stop and explain.
        XCTAssertEqual(after(.LivenessFailed(score: 0.2), attemptsLeft: 0), .stop)
        // Offline: never a new capture, whatever the attempts.
        XCTAssertEqual(after(.Network(detail: "x"), attemptsLeft: 0), .retryUpload)
        // Every ErrorKind has a decision, and only retakePhoto captures again.
        for kind in ErrorKind.allCases {
            let error = Decisions.userError(kind, attemptsLeft: 1)
            XCTAssertEqual(Decisions.mayCapture(busy: false, error: error), error.action == .retakePhoto, "\(kind)")
            XCTAssertEqual(Decisions.retakeSelfie(error), error.action == .retakePhoto, "\(kind)")
        }
        XCTAssertTrue(Decisions.mayCapture(busy: false, error: nil))
        XCTAssertFalse(Decisions.mayCapture(busy: true, error: nil), "never while uploading")
        XCTAssertEqual(Decisions.afterCaptureError(nil), .capture)
    }

    func testSkipIsOfferedOnlyForOptionalStepsWhenIdle() {
        XCTAssertTrue(Decisions.canSkip(optional: true, busy: false))
        XCTAssertFalse(Decisions.canSkip(optional: true, busy: true))
        XCTAssertFalse(Decisions.canSkip(optional: false, busy: false))
    }

    func testGuidanceKeysMapToTheirResourcesAndUnknownKeysFallBack() {
        XCTAssertEqual(guidanceResourceName("face_not_found"), "guidance_face_not_found")
        XCTAssertEqual(guidanceResourceName("a_key_from_a_newer_sdk"), "guidance_unknown")
        XCTAssertEqual(Set(guidanceKeys.map(guidanceResourceName)).count, guidanceKeys.count)
    }
}

final class RedactionTests: XCTestCase {
    func testPersonalDataAndTokensNeverPrint() {
        let form = SignUpForm(fullName: "Ana Example", email: "ana@example.com", countryCode: "+57", phone: "3001234567")
        let printed = Screen(.signUp(fields: SignUpFields(), form: form)).description
        for secret in ["Ana Example", "ana@example.com", "3001234567"] {
            XCTAssertFalse(printed.contains(secret), printed)
        }
        XCTAssertTrue(printed.contains("+57"))
        let result = Screen(.result(outcome: .completed, token: "eyJ.secret-token.sig", redirectUrl: "https://example.com/?t=eyJ.secret-token.sig"))
        XCTAssertFalse(result.description.contains("secret-token"))
    }
}

final class ReviewDisagreementTests: XCTestCase {
    func testDisagreementsAreListedUnderTheFieldsLabelAndNeverPrintTheirValues() {
        XCTAssertEqual(ReviewDisagreement.labelKey(field: "first_name"), "review_field_names")
        XCTAssertEqual(ReviewDisagreement.labelKey(field: "full_name"), "review_field_names")
        XCTAssertEqual(ReviewDisagreement.labelKey(field: "document_number"), "review_field_document_number")
        XCTAssertEqual(ReviewDisagreement.labelKey(field: "date_of_birth"), "review_field_date_of_birth")
        XCTAssertEqual(ReviewDisagreement.labelKey(field: "something_new"), "review_field_other")
        let d = ReviewDisagreement(labelKey: "review_field_document_number", server: "1020304050", document: "1020304059")
        let summary = ReviewSummary(documentFields: [], namesMatch: nil, liveness: nil, compare: nil,
                                    criminalCheck: nil, expectedToFail: false, disagreements: [d])
        let printed = summary.description + d.description
        XCTAssertFalse(printed.contains("1020304059"), printed)
        XCTAssertTrue(printed.contains("review_field_document_number"))
    }
}

final class SignUpRulesTests: XCTestCase {
    func testOnlyTheFieldsTheFlowAsksForAreRequired() {
        let emailOnly = SignUpFields(fullName: false, email: true, phone: false)
        XCTAssertNil(SignUpRules.invalidField(emailOnly, SignUpForm(email: "ana@example.com")))
        XCTAssertEqual(SignUpRules.invalidField(emailOnly, SignUpForm(fullName: "Ana", phone: "300")), "email")
        let names = SignUpFields(fullName: false, firstName: true, lastName: true, email: false, phone: false)
        XCTAssertEqual(SignUpRules.invalidField(names, SignUpForm(firstName: "Ana")), "lastName")
        let phone = SignUpFields(fullName: false, email: false, phone: true, phoneChannels: [.sms])
        XCTAssertEqual(SignUpRules.invalidField(phone, SignUpForm(phone: "3001234567")), "countryCode")
        XCTAssertNil(SignUpRules.invalidField(phone, SignUpForm(countryCode: "+57", phone: "3001234567")))
        XCTAssertEqual(SignUpRules.invalidField(phone, SignUpForm(countryCode: "+57", phone: "3001234567", phoneChannel: .whatsapp)), "phoneChannel")
        let terms = SignUpFields(fullName: false, email: true, phone: false, termsAndConditions: true, privacyNotice: true)
        var form = SignUpForm(email: "ana@example.com")
        XCTAssertEqual(SignUpRules.invalidField(terms, form), "terms")
        form.acceptedTerms = true
        XCTAssertEqual(SignUpRules.invalidField(terms, form), "privacy")
        form.acceptedPrivacy = true
        XCTAssertNil(SignUpRules.invalidField(terms, form))
    }
}

final class CleartextHostsTests: XCTestCase {
    func testTheBuildSettingBecomesTheSdksHostList() {
        XCTAssertEqual(cleartextHostList(""), [])
        XCTAssertEqual(cleartextHostList(" 192.168.1.20  My-Mac.local,192.168.1.20 "), ["192.168.1.20", "my-mac.local"])
        // Not bare hosts: a URL, a host with a port, an unexpanded build setting.
        XCTAssertEqual(cleartextHostList("http://10.0.0.2 10.0.0.3:8080 $(SMART_ENROLL_CLEARTEXT_HOSTS) fe80::1"), ["fe80::1"])
        XCTAssertEqual(insecureHttp(cleartextHosts: []), .loopback)
        XCTAssertEqual(insecureHttp(cleartextHosts: ["192.168.1.20"]), .hosts(hosts: ["192.168.1.20"]))
    }
}

/// A store whose every call can be made to fail, as a damaged or locked Keychain does.
final class ThrowingStore: SnapshotStore, @unchecked Sendable {
    struct Broken: Error {}
    private let lock = NSLock()
    var value: String?
    var failLoad = false
    var failSave = false
    var clears = 0
    var calledOnMainThread = false

    func load() throws -> String? {
        lock.lock(); defer { lock.unlock() }
        calledOnMainThread = calledOnMainThread || Thread.isMainThread
        if failLoad { throw Broken() }
        return value
    }

    func save(_ snapshot: String) throws {
        lock.lock(); defer { lock.unlock() }
        calledOnMainThread = calledOnMainThread || Thread.isMainThread
        if failSave { throw Broken() }
        value = snapshot
    }

    func clear() throws {
        lock.lock(); defer { lock.unlock() }
        calledOnMainThread = calledOnMainThread || Thread.isMainThread
        clears += 1
        value = nil
    }
}

final class SnapshotKeeperTests: XCTestCase {
    @MainActor
    func testALoadFailureDeletesTheSnapshotAndStartsFresh() async {
        let store = ThrowingStore()
        store.value = "{\"v\":1}"
        store.failLoad = true
        let failures = FailureCount()
        let keeper = SnapshotKeeper(store: store, onFailure: { _ in failures.add() })
        let loaded = await keeper.load()
        XCTAssertNil(loaded)
        XCTAssertNil(store.value)
        XCTAssertEqual(store.clears, 1)
        XCTAssertEqual(failures.count, 1)
        XCTAssertFalse(store.calledOnMainThread, "the store runs on the keeper's background queue")
    }

    func testASaveFailureDeletesTheOlderSnapshot() async {
        let store = ThrowingStore()
        let keeper = SnapshotKeeper(store: store)
        keeper.save("first")
        await keeper.flush()
        XCTAssertEqual(store.value, "first")
        store.failSave = true
        keeper.save("second")
        await keeper.flush()
        XCTAssertNil(store.value, "an older snapshot must not be resumed in place of the newer state")
        let loaded = await keeper.load()
        XCTAssertNil(loaded)
    }

    func testSavesAndClearsKeepTheirOrder() async {
        let store = ThrowingStore()
        let keeper = SnapshotKeeper(store: store)
        keeper.save("a")
        keeper.clear()
        keeper.save("b")
        let loaded = await keeper.load()
        XCTAssertEqual(loaded, "b")
    }

    func testTheFirstLaunchAfterAnInstallClearsAnEarlierInstallsSnapshot() async throws {
        let suite = "smartenroll.tests.\(UUID().uuidString)"
        let defaults = try XCTUnwrap(UserDefaults(suiteName: suite))
        defer { defaults.removePersistentDomain(forName: suite) }
        let store = ThrowingStore()
        store.value = "left by the previous install"
        let keeper = SnapshotKeeper(store: store)
        XCTAssertTrue(keeper.clearIfFirstLaunch(defaults: defaults))
        let first = await keeper.load()
        XCTAssertNil(first)
        keeper.save("this install's session")
        XCTAssertFalse(keeper.clearIfFirstLaunch(defaults: defaults), "only once per install")
        let second = await keeper.load()
        XCTAssertEqual(second, "this install's session")
    }
}

final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    func add() { lock.lock(); value += 1; lock.unlock() }
}

final class FrameTests: XCTestCase {
    /// AVCaptureVideoDataOutput buffers are not mirrored: the SDK must not flip them (issue 16).
    func testVideoDataFramesAreNotMirroredAndTurnUpright() {
        XCTAssertFalse(FrameAdapter.bufferMirrored)
        XCTAssertEqual(FrameAdapter.frontCameraRotation(for: .portrait), 90)
        XCTAssertEqual(FrameAdapter.frontCameraRotation(for: .landscapeLeft), 180)
        XCTAssertEqual(FrameAdapter.frontCameraRotation(for: .portraitUpsideDown), 270)
        XCTAssertEqual(FrameAdapter.frontCameraRotation(for: .landscapeRight), 0)
    }

    /// The adapter hands the pixel buffer's planes to the SDK as they are (no copy on our side).
    func testAnNv12PixelBufferBecomesAFrameWithItsStrides() throws {
        var buffer: CVPixelBuffer?
        let attrs = [kCVPixelBufferIOSurfacePropertiesKey as String: [:]] as CFDictionary
        XCTAssertEqual(CVPixelBufferCreate(nil, 64, 48, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, attrs, &buffer), kCVReturnSuccess)
        let pixels = try XCTUnwrap(buffer)
        let seen: (Int32, Int32, Int, Bool, Int32)? = FrameAdapter.withFrame(from: pixels, orientation: .portrait, timestampMs: 7) { frame in
            (frame.width, frame.height, frame.planes.count, frame.mirrored, frame.rotationDegrees)
        }
        let got = try XCTUnwrap(seen)
        XCTAssertEqual(got.0, 64)
        XCTAssertEqual(got.1, 48)
        XCTAssertEqual(got.2, 2)
        XCTAssertFalse(got.3)
        XCTAssertEqual(got.4, 90)
    }
}

final class DetectorTests: XCTestCase {
    /// Without the face detector (here: a face model ONNX Runtime refuses) the capture is not
    /// automatic, the reason is known, and nothing is handed over before the user takes it.
    func testWithoutTheDetectorNothingIsCapturedAutomatically() throws {
        let capture = try LivenessCapture(config: CaptureConfig(faceModel: Data([0x6e, 0x6f, 0x74])))
        let selfie = SelfieCapture(capture: capture, clock: ManualClock(start: 0))
        XCTAssertFalse(selfie.detectorAvailable)
        XCTAssertFalse(selfie.autoCapture)
        XCTAssertNotNil(selfie.detectorUnavailableReason)
        XCTAssertNil(selfie.takeManual(), "no photo has passed the checks yet")
    }

    /// The app links ONNX Runtime statically (project.yml); the SDK must find it in the app's
    /// executable. Fails when the linker dropped OrtGetApiBase or the SDK did not find it.
    func testTheFaceDetectorLoadsInTheApp() throws {
        XCTAssertTrue(installFaceModelResource(), "the face model resource is bundled")
        let capture = try LivenessCapture(config: sampleCaptureConfig(landmarkModel: { nil }))
        XCTAssertTrue(capture.detectorAvailable(), "ONNX Runtime linked into the app was not found")
    }
}
