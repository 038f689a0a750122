import Foundation
import HTTPServer
import Testing
@testable import Switchboard

struct ServeConfigTests {
    @Test func defaults() throws {
        let config = try ServeConfig.resolve(.init(), environment: [:])
        #expect(config.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.routesPath == "./routes.json")
        #expect(config.databasePath == "./switchboard.sqlite")
        #expect(config.publicURL == nil)
        #expect(config.adminToken == nil)
        #expect(config.configureOnStart)
        #expect(!config.allowUnauthenticated)
        #expect(config.logLevel == .info)
        #expect(config.signatureMode == .enforce)
        #expect(config.retentionDays == 90)
        #expect(!config.durableCommits)
    }

    @Test func flagsBeatEnvironment() throws {
        var flags = ServeConfig.Flags()
        flags.listen = "[::]:9000"
        flags.db = "/tmp/flag.sqlite"
        let config = try ServeConfig.resolve(flags, environment: [
            "SWITCHBOARD_LISTEN": "127.0.0.1:1", "SWITCHBOARD_DB": "/tmp/env.sqlite", "SWITCHBOARD_ROUTES": "/etc/r.json",
            "SWITCHBOARD_NO_CONFIGURE": "1", "SWITCHBOARD_LOG_LEVEL": "debug", "SWITCHBOARD_DURABILITY": "full",
        ])
        #expect(config.listen == ListenAddress(host: "::", port: 9000))
        #expect(config.databasePath == "/tmp/flag.sqlite")
        #expect(config.routesPath == "/etc/r.json")
        #expect(!config.configureOnStart)
        #expect(config.logLevel == .debug)
        #expect(config.durableCommits)
    }

    @Test func stateDirectoryAndCredentials() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("creds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "PSK_from_file\n".write(to: dir.appendingPathComponent("signalwire-signing-key"), atomically: true, encoding: .utf8)
        try "token-from-file\n".write(to: dir.appendingPathComponent("signalwire-api-token"), atomically: true, encoding: .utf8)
        let config = try ServeConfig.resolve(.init(), environment: [
            "STATE_DIRECTORY": "/var/lib/switchboard", "CREDENTIALS_DIRECTORY": dir.path, "SIGNALWIRE_API_TOKEN": "token-from-env",
        ])
        #expect(config.databasePath == "/var/lib/switchboard/switchboard.sqlite")
        #expect(config.signingKey == "PSK_from_file")
        #expect(config.apiToken == "token-from-env")
    }

    @Test(arguments: [
        (["SWITCHBOARD_LISTEN": "8080"], "--listen 8080"),
        (["SWITCHBOARD_LOG_LEVEL": "loud"], "--log-level loud"),
        (["SWITCHBOARD_SIGNATURES": "maybe"], "SWITCHBOARD_SIGNATURES=maybe"),
        (["SWITCHBOARD_PUBLIC_URL": "ftp://x"], "--public-url ftp://x"),
        (["SWITCHBOARD_RETENTION_DAYS": "0"], "SWITCHBOARD_RETENTION_DAYS=0"),
    ])
    func badValuesNameTheirSetting(environment: [String: String], fragment: String) {
        do {
            _ = try ServeConfig.resolve(.init(), environment: environment)
            Issue.record("accepted \(environment)")
        } catch {
            #expect(error.description.hasPrefix(fragment))
        }
    }

    @Test func aSigningKeyNeedsThePublicURLItsSignaturesCover() throws {
        let flags = ServeConfig.Flags()
        let keyOnly = try ServeConfig.resolve(flags, environment: ["SIGNALWIRE_SIGNING_KEY": "PSK"])
        #expect(throws: ConfigError.self) { try keyOnly.checkSigning() }
        do { try keyOnly.checkSigning() } catch {
            #expect(error.description.contains("Set SWITCHBOARD_PUBLIC_URL (or --public-url)"), "\(error)")
        }
        try ServeConfig.resolve(flags, environment: ["SIGNALWIRE_SIGNING_KEY": "PSK", "SWITCHBOARD_PUBLIC_URL": "https://sb.example.com"]).checkSigning()
        // Logging mode serves whatever the signature says: nothing is refused, so it may start.
        try ServeConfig.resolve(flags, environment: ["SIGNALWIRE_SIGNING_KEY": "PSK", "SWITCHBOARD_SIGNATURES": "log"]).checkSigning()
        try ServeConfig.resolve(flags, environment: [:]).checkSigning()
        #expect(keyOnly.authenticationSummary == ["signatures": "enforced", "basic_auth": "off"])
        let basic = try ServeConfig.resolve(flags, environment: ["SWITCHBOARD_PUBLIC_URL": "https://u:p@sb.example.com"])
        #expect(basic.authenticationSummary == ["signatures": "off (no SIGNALWIRE_SIGNING_KEY)", "basic_auth": "required (credentials in the public URL)"])
    }

    @Test func exposureNeedsAuthenticationOrConsent() throws {
        var flags = ServeConfig.Flags()
        flags.listen = "0.0.0.0:8080"
        let open = try ServeConfig.resolve(flags, environment: [:])
        #expect(throws: ConfigError.self) { try open.checkExposure() }
        do { try open.checkExposure() } catch {
            #expect(error.description.contains("SIGNALWIRE_SIGNING_KEY"))
            #expect(error.description.contains("--allow-unauthenticated"))
        }
        try ServeConfig.resolve(flags, environment: ["SIGNALWIRE_SIGNING_KEY": "PSK"]).checkExposure()
        try ServeConfig.resolve(flags, environment: ["SWITCHBOARD_PUBLIC_URL": "https://u:p@sb.example.com"]).checkExposure()
        try ServeConfig.resolve(flags, environment: ["SWITCHBOARD_ALLOW_UNAUTHENTICATED": "1"]).checkExposure()
        flags.listen = "[::1]:8080"
        try ServeConfig.resolve(flags, environment: [:]).checkExposure()
    }

    @Test func publicURLParts() throws {
        let plain = try PublicURL("https://sb.example.com/")
        #expect(plain.raw == "https://sb.example.com")
        #expect(plain.pathPrefix == "")
        #expect(plain.url(for: "/voice") == "https://sb.example.com/voice")
        #expect(plain.routePath("/voice") == "/voice")

        let prefixed = try PublicURL("https://user:p%40ss@sb.example.com:8443/sb")
        #expect(prefixed.pathPrefix == "/sb")
        #expect(prefixed.user == "user")
        #expect(prefixed.password == "p@ss")
        #expect(prefixed.withoutCredentials == "https://sb.example.com:8443/sb")
        #expect(prefixed.routePath("/sb/voice") == "/voice")
        #expect(prefixed.routePath("/voice") == "/voice")
        #expect(prefixed.routePath("/sbx/voice") == "/sbx/voice")
        #expect(!prefixed.description.contains("p%40ss"))
        #expect(throws: ConfigError.self) { try PublicURL("sb.example.com") }
        #expect(throws: ConfigError.self) { try PublicURL("https://sb.example.com/?a=1") }
    }
}
