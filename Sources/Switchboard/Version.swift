/// `switchboard --version`, and the daemon's start-up line.
package enum SwitchboardVersion {
    package static let current = "0.9.0"
}
