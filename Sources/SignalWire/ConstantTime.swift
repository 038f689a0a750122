/// Comparison of secrets (signatures, tokens, credentials) whose time does not depend on the contents.
package enum ConstantTime {
    /// Compares every byte of the longer input, so the time taken does not depend on where they differ.
    package static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
