import FoundationEssentials
import Logging
import Switchboard

enum LogSetup {
    /// One key=value line per event on stderr; journald priorities when run by systemd.
    static func bootstrap(level: Logger.Level) -> Logger {
        let environment = ProcessInfo.processInfo.environment
        LoggingSystem.bootstrap { label in
            KeyValueLogHandler(label: label, level: level, environment: environment)
        }
        var logger = Logger(label: "switchboard")
        logger.logLevel = level
        return logger
    }
}
