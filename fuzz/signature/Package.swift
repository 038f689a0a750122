// swift-tools-version:6.0
// The signature fuzzer: the SignalWire module's signature files (symlinked) plus the harness, built with
// swift-crypto by SwiftPM. fuzz/run.sh builds it with `--sanitize=fuzzer --sanitize=address -Xswiftc
// -sanitize=fuzzer,address` (see fuzz/README.md); it is not part of the main package.
import PackageDescription

let package = Package(
    name: "SignatureFuzz",
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "SignatureFuzz",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .define("FUZZ"),
                .unsafeFlags(["-parse-as-library"]),
            ]
        ),
    ]
)
