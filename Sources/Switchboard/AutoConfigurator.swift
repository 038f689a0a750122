import Dispatch
import FoundationEssentials
import Logging
import Routing
import SignalWire
import Store
import Platform
import Synchronization

/// Points the customer's routed numbers at this daemon through the Relay REST API, beside serving:
/// runs on its own queue, never blocks a request, and logs a failure without stopping anything.
package final class AutoConfigurator: Sendable {
    package let client: SignalWireClient
    package let publicURL: PublicURL
    let logger: Logger
    let metrics: Metrics
    private let queue = DispatchQueue(label: "switchboard.configure", qos: .utility)
    private let state = Mutex((cancelled: false, lastReport: ApplyReport?.none))
    /// Where a number's handlers are kept before they are changed (`numbers restore`); nil: nowhere.
    let store: (any SwitchboardStore)?

    /// Nil unless the API credentials and a public URL are all set.
    package init?(config: ServeConfig, metrics: Metrics, logger: Logger, store: (any SwitchboardStore)? = nil) {
        guard let credentials = Self.credentials(config), let publicURL = config.publicURL else { return nil }
        self.store = store
        self.publicURL = publicURL
        self.logger = logger
        self.metrics = metrics
        // Every attempt is counted by status; a failure is an operation that failed for good, after retries.
        self.client = SignalWireClient(credentials: credentials, logger: logger, onAPICall: { method, status in
            metrics.signalWireCall(method: method, status: status)
        })
    }

    package static func credentials(_ config: ServeConfig) -> SignalWireCredentials? {
        guard let project = config.projectID, let token = config.apiToken, let space = config.spaceURL else { return nil }
        return SignalWireCredentials(projectID: project, apiToken: token, spaceURL: space)
    }

    /// The numbers routes.json names, with the channels each routes.
    package static func routedNumbers(_ routes: Routes) -> [RoutedNumber] {
        routes.numbers.keys.sorted().map { number in
            let route = routes.numbers[number]!
            return RoutedNumber(number: number, voice: route.voice != nil, sms: route.sms != nil)
        }
    }

    /// Lists the project's numbers and computes what would change. Throws API errors.
    package func plan(for routes: Routes) throws -> ConfigurationPlan {
        ConfigurationPlan(owned: try client.listPhoneNumbers(), routed: Self.routedNumbers(routes), publicURL: publicURL.raw)
    }

    /// Plans and applies in the background; runs one at a time, in order.
    package func run(routes: Routes) {
        queue.async { [self] in
            guard !state.withLock({ $0.cancelled }) else { return }
            logger.info("Auto-configuration started", metadata: ["numbers": "\(routes.numbers.count)"])
            do {
                let plan = try plan(for: routes)
                guard !state.withLock({ $0.cancelled }) else { return }
                let report = apply(plan)
                state.withLock { $0.lastReport = report }
                for _ in report.failed { metrics.signalWireFailure() }
                let metadata: Logger.Metadata = [
                    "updated": "\(report.updated.count)", "unchanged": "\(report.unchanged.count)",
                    "failed": "\(report.failed.count)", "not_owned": "\(report.notOwned.count)",
                ]
                if report.succeeded {
                    logger.notice("Auto-configuration done", metadata: metadata)
                } else {
                    logger.error("Auto-configuration incomplete", metadata: metadata)
                }
            } catch {
                metrics.signalWireFailure()
                logger.error("Auto-configuration failed; serving continues", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies `plan`, keeping each number's present handlers in the store (and the log) first, so
    /// that `numbers restore` can put them back; a number whose handlers cannot be kept is not changed.
    package func apply(_ plan: ConfigurationPlan) -> ApplyReport {
        plan.apply(using: client, logger: logger) { [store, logger] change in
            let previous = change.previous
            logger.notice("Changing a number's handlers; the previous ones are kept", metadata: [
                "number": "\(change.number.number)",
                "previous": "\(previous.keys.sorted().map { "\($0)=\(previous[$0]! ?? "null")" }.joined(separator: " "))",
            ])
            try store?.keepHandlers(SavedHandlers(number: change.number.number, numberID: change.number.id, fields: previous, saved: Date()))
        }
    }

    /// The last completed run's report (tests and the admin API).
    package var report: ApplyReport? { state.withLock { $0.lastReport } }

    /// Stops future runs; one in flight finishes its current API call.
    package func cancel() {
        state.withLock { $0.cancelled = true }
    }
}
