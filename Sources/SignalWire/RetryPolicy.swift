import FoundationEssentials
import Platform

/// How `SignalWireClient` retries 429s, 5xx and transport failures: exponential backoff with full
/// jitter, `Retry-After` honoured, every wait bounded.
package struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    package var maxAttempts: Int
    /// The backoff ceiling before the first retry, in seconds; it doubles with each retry.
    package var baseDelay: Double
    /// No single wait is longer, whatever `Retry-After` says.
    package var maxDelay: Double

    package init(maxAttempts: Int = 5, baseDelay: Double = 0.5, maxDelay: Double = 30) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    package static let `default` = RetryPolicy()
    /// One attempt, no retry.
    package static let never = RetryPolicy(maxAttempts: 1)

    /// Seconds to wait before retry number `retry` (1 for the first): `Retry-After` when the
    /// server gave one, else a random time up to `baseDelay * 2^(retry-1)`; at most `maxDelay`.
    package func delay(beforeRetry retry: Int, retryAfter: Double?) -> Double {
        if let retryAfter, retryAfter >= 0 { return min(retryAfter, maxDelay) }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(max(retry - 1, 0), 30)))
        return ceiling > 0 ? Double.random(in: 0...ceiling) : 0
    }

    /// Parses `Retry-After` given in seconds (an HTTP-date is ignored, as if absent).
    package static func parseRetryAfter(_ value: String?) -> Double? {
        guard let text = value?.trimmingWhitespace(), let seconds = Double(text),
              seconds.isFinite, seconds >= 0 else { return nil }
        return seconds
    }
}
