import Logging

/// What `ConfigurationPlan.apply` did.
package struct ApplyReport: Sendable, Equatable, CustomStringConvertible {
    /// A number that could not be updated, and why.
    package struct Failure: Sendable, Equatable {
        package var number: String
        package var message: String
    }

    /// Numbers updated, as SignalWire returned them.
    package var updated: [PhoneNumber] = []
    package var failed: [Failure] = []
    /// Routed numbers that were already right.
    package var unchanged: [String] = []
    /// Routed numbers the project does not own.
    package var notOwned: [String] = []

    package init() {}

    /// True when every change was applied.
    package var succeeded: Bool { failed.isEmpty }

    package var description: String {
        var lines = updated.map { "  \($0.number)  updated" }
        lines += failed.map { "  \($0.number)  failed: \($0.message)" }
        lines += notOwned.map { "  \($0)  not owned by this project (check routes.json)" }
        lines.append("\(updated.count) updated, \(failed.count) failed, \(unchanged.count) already pointing here, \(notOwned.count) not owned")
        return lines.joined(separator: "\n")
    }
}

extension ConfigurationPlan {
    /// Applies every change, one number at a time. Failures are logged and kept in the report,
    /// never thrown, so the daemon keeps serving; a refused token stops the remaining updates
    /// (they would fail the same way) and each is reported with that reason. `beforeChange` runs
    /// before each update (to keep what it overwrites); when it throws, that number is not changed.
    package func apply(using client: SignalWireClient, logger: Logger,
                       beforeChange: ((Change) throws -> Void)? = nil) -> ApplyReport {
        var report = ApplyReport()
        report.unchanged = unchanged.map(\.number)
        report.notOwned = notOwned
        for number in notOwned {
            logger.warning("Routed number is not owned by this SignalWire project", metadata: ["number": "\(number)"])
        }
        var fatal: SignalWireError?
        for change in changes {
            let fields = change.update.fields.map(\.name).joined(separator: ",")
            if let fatal {
                report.failed.append(.init(number: change.number.number, message: fatal.description))
                continue
            }
            do {
                try beforeChange?(change)
            } catch {
                report.failed.append(.init(number: change.number.number, message: "not changed: its present handlers could not be kept (\(error))"))
                logger.error("Could not keep a number's handlers; not changing it", metadata: [
                    "number": "\(change.number.number)", "error": "\(error)",
                ])
                continue
            }
            do {
                let updated = try client.updatePhoneNumber(id: change.number.id, change.update)
                report.updated.append(updated)
                logger.info("Configured phone number", metadata: [
                    "number": "\(change.number.number)", "number.id": "\(change.number.id)", "fields": "\(fields)",
                ])
            } catch {
                let message = (error as? SignalWireError)?.description ?? "\(error)"
                report.failed.append(.init(number: change.number.number, message: message))
                logger.error("Could not configure phone number", metadata: [
                    "number": "\(change.number.number)", "number.id": "\(change.number.id)", "fields": "\(fields)",
                    "error": "\(message)",
                ])
                if case .unauthorized? = error as? SignalWireError { fatal = error as? SignalWireError }
            }
        }
        return report
    }
}
