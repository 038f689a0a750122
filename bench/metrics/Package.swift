// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "mbench",
    dependencies: [
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        .executableTarget(name: "mbench", dependencies: [
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "CoreMetrics", package: "swift-metrics"),
        ], path: "Sources/mbench"),
    ]
)
