// swift-tools-version:6.0
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// Linux only: the server runs its own epoll loop and binds glibc (CLinux). SwiftPM has no way to
// declare a Linux-only package, so no Apple platform is claimed and EventLoop.swift refuses to build
// elsewhere.
let package = Package(
    name: "Switchboard",
    products: [
        .executable(name: "switchboard", targets: ["SwitchboardCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The PostgreSQL client library, for the store shared by several instances.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // HMAC-SHA1/SHA256 for webhook signatures: the libcrypto that libcurl4-openssl loads anyway.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // epoll, eventfd, accept4, pthread_setname_np: in glibc, but not in Swift's Glibc module.
        .systemLibrary(name: "CLinux"),
        // What FoundationEssentials leaves out: locks, a condition, threads, sleeping, trimming, replacing.
        .target(
            name: "Platform",
            dependencies: ["CLinux"],
            swiftSettings: settings
        ),
        .target(
            name: "HTTPServer",
            dependencies: ["CLinux", "Platform", .product(name: "Logging", package: "swift-log")],
            swiftSettings: settings
        ),
        // A JSON parser that decodes only the paths asked for: routes.json and webhook bodies.
        .target(
            name: "JSON",
            swiftSettings: settings
        ),
        .target(
            name: "Routing",
            dependencies: ["JSON"],
            swiftSettings: settings
        ),
        .target(
            name: "Store",
            dependencies: ["CLibPQ", "CSQLite", "Platform", "Routing"],
            swiftSettings: settings
        ),
        .target(
            name: "SignalWire",
            dependencies: [
                "CCurl",
                "COpenSSL",
                "Platform",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "Systemd",
            dependencies: ["Platform"],
            swiftSettings: settings
        ),
        .target(
            name: "Switchboard",
            dependencies: [
                "HTTPServer", "JSON", "Platform", "Routing", "Store", "SignalWire", "Systemd",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "SwitchboardCLI",
            dependencies: [
                "Platform", "Routing", "SignalWire", "Store", "Switchboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings,
            // lld packs the binary's ~80,000 relative relocations (DT_RELR, glibc 2.36+): about
            // 2 MiB less to read and write at every start.
            linkerSettings: [.unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"])]
        ),
        // Fixtures shared by the test targets: a socket client and a fake SignalWire REST API.
        .target(
            name: "TestSupport",
            dependencies: ["HTTPServer", "Platform", "SignalWire", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: settings
        ),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "PlatformTests", dependencies: ["Platform", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "RoutingTests", dependencies: ["JSON", "Routing", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "StoreTests", dependencies: ["Store", "Routing", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd"], swiftSettings: settings),
        .testTarget(
            name: "SignalWireTests",
            dependencies: ["SignalWire", "HTTPServer", "TestSupport", .product(name: "InMemoryLogging", package: "swift-log")],
            swiftSettings: settings
        ),
        .testTarget(
            name: "SwitchboardTests",
            dependencies: ["Switchboard", "HTTPServer", "Routing", "Store", "SignalWire", "Systemd", "TestSupport"],
            swiftSettings: settings
        ),
    ]
)
