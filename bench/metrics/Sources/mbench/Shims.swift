import Foundation

// What Sources/Switchboard/Metrics.swift uses from Store and Platform, so that run.sh can build a
// copy of it here, beside swift-prometheus, without the rest of the daemon.
public struct StoreHealth: Sendable {
    public static let healthy = StoreHealth()
    public var isHealthy: Bool { true }
    public func degradedSeconds(at: Date) -> Int { 0 }
}

func fixedPoint(_ value: Double, decimals: Int) -> String { String(value) }

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        replacingOccurrences(of: target, with: replacement)
    }
}
