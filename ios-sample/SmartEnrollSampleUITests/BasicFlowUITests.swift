import Foundation
import XCTest

/// The basic flow (`smart-enroll setup --preset basic`: sign-up mandatory, document and selfie
/// optional) against the sandbox on the Mac, as a user taps it: sign up, the email code from the
/// sandbox's outbox, then the app is killed and relaunched and must resume where it was (the
/// phone step, not the sign-up form), the phone code, skip the optional document and selfie,
/// confirm the review, and the result. Needs `smart-enroll serve --dev` on 127.0.0.1:8080 and
/// the ids in Config.local.xcconfig (.github/workflows/mobile.yml does both).
final class BasicFlowUITests: XCTestCase {
    private let sandbox = ProcessInfo.processInfo.environment["SMART_ENROLL_SANDBOX"] ?? "http://127.0.0.1:8080"
    private var strings: [String: String] = [:]

    override func setUpWithError() throws {
        continueAfterFailure = false
        let bundle = Bundle(for: Self.self)
        let url = try XCTUnwrap(
            bundle.url(forResource: "Localizable", withExtension: "strings")
                ?? bundle.url(forResource: "Localizable", withExtension: "strings", subdirectory: "en.lproj"),
            "the app's English Localizable.strings is a resource of this test bundle"
        )
        strings = try XCTUnwrap(NSDictionary(contentsOf: url) as? [String: String])
    }

    /// The English text the user sees for a string key.
    private func t(_ key: String) -> String {
        guard let text = strings[key] else {
            XCTFail("no string \(key)")
            return key
        }
        return text
    }

    private func launch(_ app: XCUIApplication) {
        app.launchArguments = ["-AppleLanguages", "(en)", "-AppleLocale", "en_US"]
        app.launch()
    }

    /// The newest code the sandbox sent to `to` (email or E.164 phone), polled for up to 20 s.
    private func code(to: String) throws -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+&=")
        let query = try XCTUnwrap(to.addingPercentEncoding(withAllowedCharacters: allowed))
        let url = try XCTUnwrap(URL(string: "\(sandbox)/sandbox/outbox?to=\(query)"))
        for _ in 0..<20 {
            if let data = try? Data(contentsOf: url),
               let text = String(data: data, encoding: .utf8),
               let match = text.range(of: "\"code\"\\s*:\\s*\"[0-9]{6}\"", options: .regularExpression) {
                return String(text[match].filter(\.isNumber).suffix(6))
            }
            Thread.sleep(forTimeInterval: 1)
        }
        XCTFail("no code in the sandbox outbox for the address")
        return ""
    }

    private func type(_ text: String, into field: XCUIElement) {
        XCTAssertTrue(field.waitForExistence(timeout: 10), "field \(field)")
        field.tap()
        field.typeText(text)
    }

    /// Waits until the element is gone (XCUIElement.waitForNonExistence needs Xcode 16).
    private func gone(_ element: XCUIElement, timeout: TimeInterval) -> Bool {
        let expectation = XCTNSPredicateExpectation(predicate: NSPredicate(format: "exists == false"), object: element)
        return XCTWaiter().wait(for: [expectation], timeout: timeout) == .completed
    }

    private func tapIfPresent(_ element: XCUIElement, timeout: TimeInterval = 2) {
        if element.waitForExistence(timeout: timeout) { element.tap() }
    }

    func testBasicFlowSurvivesAKillAndRelaunch() throws {
        let app = XCUIApplication()
        launch(app)
        let submit = app.buttons[t("signup_submit")]
        XCTAssertTrue(submit.waitForExistence(timeout: 30), "the sign-up form")

        let unique = String(Int(Date().timeIntervalSince1970 * 1000) % 10_000_000)
        let email = "ios-ui-\(unique)@example.com"
        let phone = "300" + String(repeating: "0", count: max(0, 7 - unique.count)) + unique
        for (key, value) in [("field_full_name", "Ana Example"), ("field_first_name", "Ana"), ("field_last_name", "Example")] {
            let field = app.textFields[t(key)]
            if field.exists { type(value, into: field) }
        }
        type(email, into: app.textFields[t("field_email")])
        let countryCode = app.textFields[t("field_country_code")]
        if countryCode.exists {
            type("+57", into: countryCode)
            type(phone, into: app.textFields[t("field_phone")])
        }
        for key in ["signup_accept_terms", "signup_accept_privacy"] {
            let toggle = app.switches[t(key)]
            if toggle.exists { toggle.tap() }
        }
        submit.tap()

        // The email code, from the sandbox's outbox.
        XCTAssertTrue(app.staticTexts[t("otp_email_title")].waitForExistence(timeout: 30), "the email code screen")
        type(try code(to: email), into: app.textFields[t("otp_field")])
        app.buttons[t("otp_submit")].tap()
        XCTAssertTrue(gone(app.staticTexts[t("otp_email_title")], timeout: 30))

        // Kill the app and start it again: it resumes the stored session.
        app.terminate()
        launch(app)
        XCTAssertFalse(submit.waitForExistence(timeout: 5), "the relaunched app went back to the sign-up form")

        // The phone code (choosing SMS if the flow asks), then skip what is optional.
        if countryCode.exists || app.staticTexts[t("phone_channel_title")].waitForExistence(timeout: 10)
            || app.staticTexts[t("otp_phone_title")].exists {
            tapIfPresent(app.buttons[t("phone_channel_sms")])
            XCTAssertTrue(app.staticTexts[t("otp_phone_title")].waitForExistence(timeout: 30), "the phone code screen")
            type(try code(to: "+57" + phone), into: app.textFields[t("otp_field")])
            app.buttons[t("otp_submit")].tap()
            XCTAssertTrue(gone(app.staticTexts[t("otp_phone_title")], timeout: 30))
        }
        for _ in 0..<3 {
            let skip = app.buttons[t("action_skip")]
            guard skip.waitForExistence(timeout: 10) else { break }
            skip.tap()
            _ = gone(skip, timeout: 10)
        }
        tapIfPresent(app.buttons[t("review_confirm")], timeout: 15)
        XCTAssertTrue(app.staticTexts[t("result_title")].waitForExistence(timeout: 60), "the result screen")
    }

    /// The app goes to the background (the privacy cover is shown while it is not active) and
    /// comes back: the cover must not stay over the screen.
    func testPrivacyCoverGoesAwayWhenTheAppIsActiveAgain() {
        let app = XCUIApplication()
        launch(app)
        XCTAssertTrue(app.wait(for: .runningForeground, timeout: 30))
        XCUIDevice.shared.press(.home)
        XCTAssertTrue(app.wait(for: .runningBackground, timeout: 10))
        app.activate()
        XCTAssertTrue(app.wait(for: .runningForeground, timeout: 10))
        XCTAssertTrue(gone(app.otherElements["privacy_cover"], timeout: 10), "the cover goes away when active")
    }
}
