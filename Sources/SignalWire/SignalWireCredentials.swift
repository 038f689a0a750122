import FoundationEssentials
import Platform

/// What the Relay REST API needs: project id, API token and the space URL.
///
/// The space URL may be given as `example.signalwire.com` (https is assumed) or with a scheme
/// (`http://127.0.0.1:9000` for a local fake), which is then used as given; trailing slashes are
/// removed. Neither `description` nor `debugDescription` shows the token.
package struct SignalWireCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    package let projectID: String
    package let apiToken: String
    /// `https://example.signalwire.com`: a scheme, no trailing slash.
    package let spaceURL: String

    package init(projectID: String, apiToken: String, spaceURL: String) {
        self.projectID = projectID
        self.apiToken = apiToken
        self.spaceURL = Self.normalise(spaceURL)
    }

    /// `SPACE/api/relay/rest`.
    package var baseURL: String { spaceURL + "/api/relay/rest" }

    /// Adds `https://` when there is no scheme and removes trailing slashes and surrounding spaces.
    package static func normalise(_ spaceURL: String) -> String {
        var url = spaceURL.trimmingWhitespaceAndNewlines()
        if !url.contains("://") { url = "https://" + url }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    package var description: String {
        "SignalWireCredentials(projectID: \(projectID), spaceURL: \(spaceURL), apiToken: <redacted>)"
    }

    package var debugDescription: String { description }
}
