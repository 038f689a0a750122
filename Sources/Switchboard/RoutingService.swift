import Dispatch
import FoundationEssentials
import Logging
import Routing
import Store

/// One routing decision end to end: state read, decision made and recorded in one store
/// transaction; or, for a dry run, the same decision from the state as it is, with nothing written.
///
/// When the store cannot be used, the decision is made from the routes alone (each pool from its
/// first enabled member) and the failure counted and logged (summarised: `StoreFailureLog`): a
/// caller is never dropped because of our state.
package struct RoutingService: Sendable {
    let store: any SwitchboardStore
    let metrics: Metrics
    let logger: Logger
    let failureLog: StoreFailureLog
    /// Who is off duty (without one given, the pauses are read from the store for each decision).
    let roster: DutyRoster

    init(store: any SwitchboardStore, metrics: Metrics, logger: Logger, failureLog: StoreFailureLog? = nil, roster: DutyRoster? = nil) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.failureLog = failureLog ?? StoreFailureLog(logger: logger)
        self.roster = roster ?? DutyRoster(store: store, logger: logger, readingThrough: true)
    }

    package init(store: any SwitchboardStore, metrics: Metrics, logger: Logger) {
        self.init(store: store, metrics: metrics, logger: logger, failureLog: nil)
    }

    /// `request` with the pauses in force.
    func staffed(_ request: RouteRequest) -> RouteRequest {
        var request = request
        request.availability = roster.availability
        return request
    }

    /// Decides without blocking: `completion` gets the plan once the decision is committed, logged and
    /// counted (or, if the store failed, the fallback plan). It runs on the store's writer thread (a
    /// relayed reply: another thread), or at once on the caller's when no state is needed, so it must
    /// be quick.
    ///
    /// The request is decided with the pauses in force: `completion` gets it as decided (`staffed`),
    /// so that what follows the answer reads the same pauses without reading them again.
    package func plan(_ request: RouteRequest, engine: RoutingEngine, requestID: String,
                     completion: @escaping @Sendable (_ plan: RoutePlan, _ staffed: RouteRequest) -> Void) {
        let request = staffed(request)
        let completion = { @Sendable (plan: RoutePlan) in completion(plan, request) }
        if let change = engine.dutyChange(in: request) {
            // A store write outside the decision batches: not on the caller's thread.
            return DispatchQueue.global().async {
                completion(duty(change, request, requestID: requestID))
            }
        }
        if request.channel == .sms, let member = engine.relayMember(for: request) {
            // The relay reads the store, which may wait for a free reader: not on the caller's thread.
            return DispatchQueue.global().async {
                completion(relay(request, from: member, engine: engine, requestID: requestID))
            }
        }
        if let keyword = engine.keyword(in: request) {
            // An opt-out is a store write outside the decision batches: not on the caller's thread.
            return DispatchQueue.global().async {
                completion(answer(keyword, request, engine: engine, requestID: requestID))
            }
        }
        let route = engine.resolve(route: request)
        guard let query = route.stateQuery else {
            return completion(stateless(request, engine: engine))
        }
        store.route(query, Self.choose(route, engine), completion: { result in
            completion(finish(result, request: request, engine: engine, requestID: requestID))
        })
    }

    /// Decides and waits (the command line); `dryRun` reads the state and writes nothing.
    package func plan(_ request: RouteRequest, engine: RoutingEngine, requestID: String, dryRun: Bool = false) -> RoutePlan {
        let request = staffed(request)
        if let change = engine.dutyChange(in: request) {
            return dryRun ? Self.dutyReply(change, request) : duty(change, request, requestID: requestID)
        }
        if request.channel == .sms, let member = engine.relayMember(for: request) {
            return relay(request, from: member, engine: engine, requestID: requestID)
        }
        if let keyword = engine.keyword(in: request) {
            return answer(keyword, request, engine: engine, requestID: requestID, dryRun: dryRun)
        }
        let route = engine.resolve(route: request)
        guard let query = route.stateQuery else { return stateless(request, engine: engine) }
        if dryRun {
            var random = SystemRandomNumberGenerator()
            do {
                return engine.decide(route, states: try store.poolStates(query), random: &random).plan
            } catch {
                failed("route", error, requestID: requestID)
                return stateless(request, engine: engine)
            }
        }
        let result = Result { () throws -> RouteOutcome in try store.route(query, Self.choose(route, engine)) }
        return finish(result, request: request, engine: engine, requestID: requestID)
    }

    /// The decision the store runs inside its transaction, on the state it read there.
    static func choose(_ route: ResolvedRoute, _ engine: RoutingEngine) -> @Sendable ([String: PoolState]) -> (RouteOutcome, [DecisionRecord]) {
        { states in
            var random = SystemRandomNumberGenerator()
            let outcome = engine.decide(route, states: states, random: &random)
            return (outcome, outcome.records)
        }
    }

    /// After the store answered: the committed plan, logged and counted; or the stateless fallback.
    func finish(_ result: Result<RouteOutcome, any Error>, request: RouteRequest, engine: RoutingEngine, requestID: String) -> RoutePlan {
        switch result {
        case .success(let outcome):
            for record in outcome.records {
                let member = Redact.member(record.member)
                metrics.decision(channel: record.channel.rawValue, pool: record.pool, member: member)
                logger.info(request.channel == .voice ? "Routed call" : "Routed message", metadata: [
                    "request.id": .string(requestID), "id": .string(record.id), "pool": .string(record.pool),
                    "member": .string(member),
                ])
            }
            // The store remembered the conversation with the member its decision names; a text sent
            // to every member (`simultaneous`) is remembered for the others here.
            if case .message(let messages) = outcome.plan {
                for message in messages.dropFirst() {
                    do {
                        try store.recordConversation(poolNumber: request.to, member: message.to, customer: request.from, at: request.now)
                    } catch {
                        failed("conversation", error, requestID: requestID)
                    }
                }
            }
            return outcome.plan
        case .failure(let error):
            failed("route", error, requestID: requestID)
            metrics.fallback(reason: "store")
            return stateless(request, engine: engine)
        }
    }

    /// The decision from the routes alone: every pool starts from its first enabled member.
    func stateless(_ request: RouteRequest, engine: RoutingEngine) -> RoutePlan {
        var random = SystemRandomNumberGenerator()
        return engine.decide(request, states: [:], random: &random).plan
    }

    /// A customer's STOP, START or HELP: the opt-out recorded (or removed), and the pool's reply.
    /// When the store fails the reply is still sent and the failure counted and logged.
    func answer(_ keyword: TextKeyword, _ request: RouteRequest, engine: RoutingEngine, requestID: String,
                dryRun: Bool = false) -> RoutePlan {
        if keyword != .help, !dryRun {
            do {
                try store.setOptOut(poolNumber: request.to, customer: request.from,
                                    keyword: keyword == .optOut ? TextKeyword.word(request.body) : nil, at: request.now)
            } catch {
                failed("opt-out", error, requestID: requestID)
            }
        }
        metrics.textKeyword(keyword.rawValue)
        logger.info(keyword == .optOut ? "Customer opted out" : keyword == .optIn ? "Customer opted in" : "Customer asked for help", metadata: [
            "request.id": "\(requestID)", "id": "\(request.id)", "number": "\(request.to)",
        ])
        return engine.keywordPlan(request, keyword)
    }

    /// A member's `OFF` / `ON` text: paused (by `sms`) or resumed in the pools it names, and told so.
    /// When the store fails the member is told that too, and nothing changed.
    func duty(_ change: DutyChange, _ request: RouteRequest, requestID: String) -> RoutePlan {
        do {
            for pool in change.pools {
                if change.off {
                    let pause = MemberPause(pool: pool, member: change.member, by: .sms, reason: "texted \(TextKeyword.word(request.body))",
                                            since: request.now)
                    try roster.pause(pause)
                } else {
                    try roster.resume(pool: pool, member: change.member)
                }
            }
        } catch {
            failed("duty", error, requestID: requestID)
            return .message([OutboundMessage(to: change.member, from: request.to,
                                             body: "Sorry, that did not go through (our database did not answer). Please try again.")])
        }
        metrics.textKeyword(change.off ? "duty_off" : "duty_on")
        return Self.dutyReply(change, request)
    }

    /// What the member is told: where they are now off (or on) duty, and how to change it back.
    static func dutyReply(_ change: DutyChange, _ request: RouteRequest) -> RoutePlan {
        let pools = change.pools.joined(separator: ", ")
        let body = change.off
            ? "You are off duty in \(pools): no calls or texts until you text \(change.undo)."
            : "You are on duty again in \(pools). Text \(change.undo) to go off duty."
        return .message([OutboundMessage(to: change.member, from: request.to, body: body)])
    }

    /// A member texting the pool number: relayed to the customer their reply is for (the newest of
    /// their conversations, or the one the reply addresses), unless that customer opted out; in
    /// either case where nothing is sent, the member is told why.
    func relay(_ request: RouteRequest, from member: String, engine: RoutingEngine, requestID: String) -> RoutePlan {
        var open: [String] = []
        do {
            open = try store.openConversations(poolNumber: request.to, member: member,
                                               since: request.now.addingTimeInterval(-StateQuery.memoryWindow),
                                               callPools: engine.callPools(of: member))
        } catch {
            failed("relay", error, requestID: requestID)
        }
        let plan: RoutePlan
        switch engine.replyTarget(request, open: open) {
        case .notice(let notice):
            plan = notice
        case .customer(let customer, let body):
            do {
                if try store.isOptedOut(poolNumber: request.to, customer: customer) {
                    metrics.textKeyword("blocked_reply")
                    logger.info("Member reply not relayed: customer opted out", metadata: ["request.id": "\(requestID)", "id": "\(request.id)"])
                    return engine.optedOutNotice(request, customer: customer)
                }
            } catch {
                failed("opt-out", error, requestID: requestID)
                return engine.optOutsUnavailableNotice(request)
            }
            var addressed = request
            addressed.body = body
            plan = engine.relay(addressed, toCustomer: customer)
            // The conversation the member just answered is their newest.
            do {
                try store.recordConversation(poolNumber: request.to, member: member, customer: customer, at: request.now)
            } catch {
                failed("conversation", error, requestID: requestID)
            }
        }
        logger.info("Relayed member reply", metadata: ["request.id": "\(requestID)", "id": "\(request.id)", "relayed": "\(plan != .drop)"])
        return plan
    }

    func failed(_ operation: String, _ error: any Error, requestID: String) {
        metrics.storeError(operation: operation)
        failureLog.failed(operation, error, requestID: requestID)
    }
}
