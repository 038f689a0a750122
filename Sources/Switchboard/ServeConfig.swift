import FoundationEssentials
import HTTPServer
import Logging
import Store
import Systemd

/// Everything `serve` needs, resolved from flags, then the environment, then systemd credentials.
package struct ServeConfig: Sendable {
    package enum SignatureMode: String, Sendable { case enforce, log }

    package var listen: ListenAddress
    package var routesPath: String
    package var databasePath: String
    package var publicURL: PublicURL?
    package var adminToken: String?
    package var configureOnStart: Bool
    package var allowUnauthenticated: Bool
    package var logLevel: Logger.Level
    package var signatureMode: SignatureMode
    package var signingKey: String?
    package var projectID: String?
    package var apiToken: String?
    package var spaceURL: String?
    package var durableCommits: Bool
    package var retentionDays: Int
    package var limits = HTTPLimits()
    /// Where notification emails go out (`SWITCHBOARD_SMTP_*`); nil: email notifications fail, saying so.
    package var smtp: SMTPSettings?
    /// The key that signs notification webhooks (`SWITCHBOARD_NOTIFY_SECRET`).
    package var notifySecret: String?
    /// Seconds after the last leg of an unanswered call ends (plus the voicemail's length, when it has
    /// one) before it counts as missed (`SWITCHBOARD_MISSED_AFTER`).
    package var missedAfterSeconds: Double = CallOutcomeRules.quietSeconds
    /// Seconds without a request after which the daemon drops its code pages again (`IdleRelease`).
    package var idleReleaseInterval: Double = 60

    /// Flags as given on the command line; nil when not given.
    package struct Flags: Sendable {
        package var listen: String?
        package var routes: String?
        package var db: String?
        package var publicURL: String?
        package var adminToken: String?
        package var noConfigure = false
        package var allowUnauthenticated = false
        package var logLevel: String?
        package init() {}
    }

    package static func resolve(_ flags: Flags, environment env: [String: String]) throws(ConfigError) -> ServeConfig {
        func value(_ flag: String?, _ name: String) -> String? {
            if let flag, !flag.isEmpty { return flag }
            if let v = env[name], !v.isEmpty { return v }
            return nil
        }
        func secret(_ name: String, credential: String) -> String? {
            if let v = env[name], !v.isEmpty { return v }
            return StateDirectory.credential(credential, environment: env)
        }
        func truthy(_ name: String) -> Bool {
            ["1", "true", "yes", "on"].contains(env[name]?.lowercased() ?? "")
        }

        let listenText = value(flags.listen, "SWITCHBOARD_LISTEN") ?? "127.0.0.1:8080"
        guard let listen = ListenAddress(listenText) else {
            throw ConfigError("--listen \(listenText): expected HOST:PORT, e.g. 127.0.0.1:8080 or [::]:8080")
        }
        let levelText = value(flags.logLevel, "SWITCHBOARD_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigError("--log-level \(levelText): expected trace, debug, info, notice, warning, error or critical")
        }
        let modeText = env["SWITCHBOARD_SIGNATURES"]?.lowercased() ?? "enforce"
        guard let mode = SignatureMode(rawValue: modeText.isEmpty ? "enforce" : modeText) else {
            throw ConfigError("SWITCHBOARD_SIGNATURES=\(modeText): expected enforce or log")
        }
        let durabilityText = env["SWITCHBOARD_DURABILITY"]?.lowercased() ?? "normal"
        guard durabilityText == "normal" || durabilityText == "full" || durabilityText.isEmpty else {
            throw ConfigError("SWITCHBOARD_DURABILITY=\(durabilityText): expected normal or full")
        }
        let retentionText = env["SWITCHBOARD_RETENTION_DAYS"] ?? "90"
        guard let retention = Int(retentionText), retention >= 1 else {
            throw ConfigError("SWITCHBOARD_RETENTION_DAYS=\(retentionText): expected a whole number of days, at least 1")
        }
        var config = ServeConfig(
            listen: listen,
            routesPath: value(flags.routes, "SWITCHBOARD_ROUTES") ?? "./routes.json",
            databasePath: value(flags.db, "SWITCHBOARD_DB") ?? StateDirectory.defaultDatabasePath(environment: env),
            publicURL: try value(flags.publicURL, "SWITCHBOARD_PUBLIC_URL").map { text throws(ConfigError) in try PublicURL(text) },
            adminToken: value(flags.adminToken, "SWITCHBOARD_ADMIN_TOKEN") ?? StateDirectory.credential("switchboard-admin-token", environment: env),
            configureOnStart: !(flags.noConfigure || truthy("SWITCHBOARD_NO_CONFIGURE")),
            allowUnauthenticated: flags.allowUnauthenticated || truthy("SWITCHBOARD_ALLOW_UNAUTHENTICATED"),
            logLevel: level,
            signatureMode: mode,
            signingKey: secret("SIGNALWIRE_SIGNING_KEY", credential: "signalwire-signing-key"),
            projectID: env["SIGNALWIRE_PROJECT_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? StateDirectory.credential("signalwire-project-id", environment: env),
            apiToken: secret("SIGNALWIRE_API_TOKEN", credential: "signalwire-api-token"),
            spaceURL: env["SIGNALWIRE_SPACE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            durableCommits: durabilityText == "full",
            retentionDays: retention
        )
        if let text = env["SWITCHBOARD_MAX_CONNECTIONS"], let n = Int(text), n > 0 { config.limits.maxConnections = n }
        config.smtp = try SMTPSettings.resolve(env, password: secret("SWITCHBOARD_SMTP_PASSWORD", credential: "switchboard-smtp-password"))
        config.notifySecret = secret("SWITCHBOARD_NOTIFY_SECRET", credential: "switchboard-notify-secret")
        if let text = env["SWITCHBOARD_MISSED_AFTER"], !text.isEmpty {
            guard let seconds = Int(text), (1...3600).contains(seconds) else {
                throw ConfigError("SWITCHBOARD_MISSED_AFTER=\(text): expected whole seconds, 1 to 3600")
            }
            config.missedAfterSeconds = Double(seconds)
        }
        return config
    }

    /// True when webhooks are authenticated by a signature or HTTP Basic credentials.
    package var authenticatesWebhooks: Bool {
        signingKey != nil || publicURL?.user != nil
    }

    /// README "Security": with no way to authenticate webhooks, refuse to listen beyond loopback unless told to.
    package func checkExposure() throws(ConfigError) {
        guard !authenticatesWebhooks, !listen.isLoopback, !allowUnauthenticated else { return }
        throw ConfigError("""
            refusing to listen on \(listen) without webhook authentication: member numbers would be \
            readable by anyone. Set SIGNALWIRE_SIGNING_KEY (the project's Signing Key), or put credentials \
            in the public URL, or pass --allow-unauthenticated (SWITCHBOARD_ALLOW_UNAUTHENTICATED=1) if \
            something in front of Switchboard authenticates requests.
            """)
    }

    /// A signing key without a public URL would refuse every webhook (the signature covers the URL
    /// SignalWire called, which only the public URL gives): refused at start, saying what to set.
    package func checkSigning() throws(ConfigError) {
        guard signingKey != nil, publicURL == nil, signatureMode == .enforce else { return }
        throw ConfigError("""
            SIGNALWIRE_SIGNING_KEY is set but SWITCHBOARD_PUBLIC_URL is not: every webhook would be refused, \
            since SignalWire signs the URL it calls. Set SWITCHBOARD_PUBLIC_URL (or --public-url) to that \
            URL, e.g. your tunnel's or proxy's https://... address.
            """)
    }

    /// How webhooks are authenticated, for the start-up log.
    package var authenticationSummary: [String: String] {
        [
            "signatures": signingKey == nil ? "off (no SIGNALWIRE_SIGNING_KEY)" : signatureMode == .enforce ? "enforced" : "checked and logged, not enforced (SWITCHBOARD_SIGNATURES=log)",
            "basic_auth": publicURL?.user == nil ? "off" : "required (credentials in the public URL)",
        ]
    }

    /// Credentials for the Relay REST API when all three are set.
    package var hasAPICredentials: Bool { projectID != nil && apiToken != nil && spaceURL != nil }
}

/// The mail server for notification emails.
package struct SMTPSettings: Sendable, Equatable {
    /// `smtp://host:port` (STARTTLS required unless the host is loopback) or `smtps://host:port`.
    package var url: String
    package var from: String
    package var user: String?
    package var password: String?

    /// Whether STARTTLS must succeed before anything is sent: always but on loopback (`smtps://` is TLS from the start).
    package var requireTLS: Bool {
        guard url.lowercased().hasPrefix("smtp://") else { return false }
        let host = url.dropFirst("smtp://".count).split(separator: "/").first.map(String.init) ?? ""
        let bare = host.split(separator: "@").last.map(String.init) ?? host
        return !(bare.hasPrefix("127.") || bare.hasPrefix("localhost") || bare.hasPrefix("[::1]"))
    }

    static func resolve(_ env: [String: String], password: String?) throws(ConfigError) -> SMTPSettings? {
        guard let url = env["SWITCHBOARD_SMTP_URL"], !url.isEmpty else { return nil }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("smtp://") || lowered.hasPrefix("smtps://"), !url.contains(where: \.isWhitespace) else {
            throw ConfigError("SWITCHBOARD_SMTP_URL=\(url): expected smtp://host:port or smtps://host:port")
        }
        guard let from = env["SWITCHBOARD_SMTP_FROM"], !from.isEmpty else {
            throw ConfigError("SWITCHBOARD_SMTP_URL is set but SWITCHBOARD_SMTP_FROM is not: give the address notification emails come from")
        }
        guard !from.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" }), from.contains("@") else {
            throw ConfigError("SWITCHBOARD_SMTP_FROM=\(from): expected an email address")
        }
        let user = env["SWITCHBOARD_SMTP_USER"].flatMap { $0.isEmpty ? nil : $0 }
        return SMTPSettings(url: url, from: from, user: user, password: password)
    }
}
