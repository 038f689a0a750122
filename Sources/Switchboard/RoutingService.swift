import Foundation
import Logging
import Routing
import Store

/// One routing decision end to end: state read, decision made and recorded in one store
/// transaction; or, for a dry run, the same decision from the state as it is, with nothing written.
///
/// When the store cannot be used, the decision is made from the routes alone (each pool from its
/// first enabled member) and the failure logged and counted: a caller is never dropped because of
/// our state.
public struct RoutingService: Sendable {
    let store: any SwitchboardStore
    let metrics: Metrics
    let logger: Logger

    /// How long a member's reply can still reach the customer who last reached them.
    static let relayWindow: TimeInterval = 30 * 24 * 3600

    public init(store: any SwitchboardStore, metrics: Metrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    public func plan(_ request: RouteRequest, engine: RoutingEngine, requestID: String, dryRun: Bool = false) -> RoutePlan {
        if request.channel == .sms, let member = engine.relayMember(for: request) {
            return relay(request, from: member, engine: engine, requestID: requestID)
        }
        let plan = decide(request, engine: engine, requestID: requestID, dryRun: dryRun)
        // The store remembers the conversation with the member its decision names; a text sent to
        // every member (`simultaneous`) is remembered for the others here.
        if !dryRun, case .message(let messages) = plan {
            for message in messages.dropFirst() {
                do {
                    try store.recordConversation(poolNumber: request.to, member: message.to, customer: request.from, at: request.now)
                } catch {
                    failed("conversation", error, requestID: requestID)
                }
            }
        }
        return plan
    }

    func decide(_ request: RouteRequest, engine: RoutingEngine, requestID: String, dryRun: Bool) -> RoutePlan {
        var random = SystemRandomNumberGenerator()
        guard let query = engine.stateQuery(for: request) else {
            return engine.decide(request, states: [:], random: &random).plan
        }
        do {
            if dryRun {
                return engine.decide(request, states: try store.poolStates(query), random: &random).plan
            }
            let outcome = try store.route(query) { states in
                var random = SystemRandomNumberGenerator()
                let outcome = engine.decide(request, states: states, random: &random)
                return (outcome, outcome.records)
            }
            for record in outcome.records {
                metrics.decision(channel: record.channel.rawValue, pool: record.pool, member: Redact.member(record.member))
                logger.info(request.channel == .voice ? "Routed call" : "Routed message", metadata: [
                    "request.id": "\(requestID)", "id": "\(record.id)", "pool": "\(record.pool)",
                    "member": "\(Redact.member(record.member))",
                ])
            }
            return outcome.plan
        } catch {
            failed("route", error, requestID: requestID)
            metrics.fallback(reason: "store")
            return engine.decide(request, states: [:], random: &random).plan
        }
    }

    /// A member texting the pool number: relayed to the customer who last reached them.
    func relay(_ request: RouteRequest, from member: String, engine: RoutingEngine, requestID: String) -> RoutePlan {
        var customer: String?
        do {
            customer = try store.lastCustomer(poolNumber: request.to, member: member, since: request.now.addingTimeInterval(-Self.relayWindow))
        } catch {
            failed("relay", error, requestID: requestID)
        }
        let plan = engine.relay(request, toCustomer: customer)
        logger.info("Relayed member reply", metadata: ["request.id": "\(requestID)", "id": "\(request.id)", "relayed": "\(plan != .drop)"])
        return plan
    }

    func failed(_ operation: String, _ error: any Error, requestID: String) {
        metrics.storeError(operation: operation)
        logger.error("Store failed", metadata: ["request.id": "\(requestID)", "operation": "\(operation)", "error": "\(error)"])
    }
}
