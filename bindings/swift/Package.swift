// swift-tools-version:5.9
// The Smart Enroll Swift package: the generated bindings (Sources/SmartEnroll/SmartEnroll.swift,
// written by scripts/build-ios.sh), the hand-written AsyncStream adapter, and the Rust core as a
// static XCFramework (SmartEnrollFFI.xcframework, also built by scripts/build-ios.sh).
import PackageDescription

let package = Package(
    name: "SmartEnroll",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "SmartEnroll", targets: ["SmartEnroll"]),
    ],
    targets: [
        .binaryTarget(name: "SmartEnrollFFI", path: "SmartEnrollFFI.xcframework"),
        .target(
            name: "SmartEnroll",
            dependencies: ["SmartEnrollFFI"],
            path: "Sources/SmartEnroll"
        ),
    ]
)
