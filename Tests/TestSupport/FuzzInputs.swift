import Foundation

/// A fuzz target's committed inputs, from the repository this file is in: `folder` is `corpus` (the
/// seeds, which must exist) or `regressions` (crash inputs, which may not).
package enum FuzzInputs {
    package static func files(_ folder: String, target: String, filePath: String = #filePath) throws -> [(name: String, bytes: [UInt8])] {
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("fuzz/\(folder)/\(target)")
        guard FileManager.default.fileExists(atPath: directory.path) || folder == "corpus" else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { ($0, Array(try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }
}
