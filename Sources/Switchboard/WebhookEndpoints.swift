import Dispatch
import FoundationEssentials
import HTTPServer
import Logging
import Routing
import SignalWire
import Store

/// The webhook endpoints: parse -> route decision and store commit (`RoutingService`) -> SWML or cXML.
///
/// A decision is committed before its answer is sent. When the store fails, the call is still
/// answered from the routes alone (each pool from its first enabled member) and the failure is
/// counted and logged (summarised): a caller is never dropped because of our state.
package final class WebhookEndpoints: Sendable {
    let routes: RoutesFile
    let store: any SwitchboardStore
    let service: RoutingService
    let swml: SWMLCache
    let cxml: CXMLRenderer
    let metrics: Metrics
    let logger: Logger
    let clock: @Sendable () -> Date
    /// Told about calls that ring nobody and about every new leg event and voicemail (nil: outcomes off).
    let tracker: CallTracker?

    package convenience init(routes: RoutesFile, store: any SwitchboardStore, callbackBase: String?, metrics: Metrics,
                            logger: Logger, clock: @escaping @Sendable () -> Date = Date.init) {
        self.init(routes: routes, store: store, callbackBase: callbackBase, metrics: metrics, logger: logger,
                  failureLog: nil, clock: clock)
    }

    init(routes: RoutesFile, store: any SwitchboardStore, callbackBase: String?, metrics: Metrics,
         logger: Logger, failureLog: StoreFailureLog?, tracker: CallTracker? = nil, roster: DutyRoster? = nil,
         clock: @escaping @Sendable () -> Date = Date.init) {
        self.routes = routes
        self.store = store
        self.service = RoutingService(store: store, metrics: metrics, logger: logger, failureLog: failureLog, roster: roster)
        self.swml = SWMLCache(renderer: SWMLRenderer(callbackBase: callbackBase))
        self.cxml = CXMLRenderer(callbackBase: callbackBase)
        self.metrics = metrics
        self.logger = logger
        self.clock = clock
        self.tracker = tracker
    }

    package func voice(_ request: HTTPRequest, _ responder: HTTPResponder) throws {
        let routeRequest = try Webhook.voice(request, now: clock())
        let swml = swml
        let engine = routes.current
        let tracker = tracker
        // The answer is built where the decision completes (the store's writer, once committed),
        // leaving the event loop, the busier thread, only the writing.
        service.plan(routeRequest, engine: engine, requestID: request.id) { plan, decided in
            responder.respond(HTTPResponse(status: 200, contentType: SWMLDocument.contentType, body: swml.bytes(plan, dialed: routeRequest.to)))
            // A call that rings nobody has its outcome now (closed or unrouted, with the pauses the
            // decision read); the others' come from their callbacks.
            if let tracker, plan.ringsNobody, let unrung = engine.unrung(decided) {
                tracker.answeredWithoutRinging(decided, closed: unrung.closed, pool: unrung.pool)
            }
        }
    }

    package func sms(_ request: HTTPRequest, _ responder: HTTPResponder) throws {
        let routeRequest = try Webhook.sms(request, now: clock())
        let cxml = cxml
        service.plan(routeRequest, engine: routes.current, requestID: request.id) { plan, _ in
            responder.respond(HTTPResponse(status: 200, contentType: CXMLResponse.contentType, body: cxml.render(plan).renderBytes()))
        }
    }

    package func callStatus(_ request: HTTPRequest, _ responder: HTTPResponder) throws {
        try record(request, kind: "call", parse: Webhook.callStatus, responder)
    }

    package func messageStatus(_ request: HTTPRequest, _ responder: HTTPResponder) throws {
        try record(request, kind: "message", parse: Webhook.messageStatus, responder)
    }

    /// Stored in the store's next batch; answered once committed.
    package func voicemail(_ request: HTTPRequest, _ responder: HTTPResponder) throws {
        guard let voicemail = try Webhook.voicemail(request, now: clock()) else { return responder.respond(.noContent()) }
        store.recordVoicemail(voicemail) { [logger, service, tracker] result in
            switch result {
            case .success:
                logger.info("Voicemail recorded", metadata: ["request.id": "\(request.id)", "call.id": "\(voicemail.callID)"])
                responder.respond(.noContent())
                tracker?.noticed(voicemail.callID)
            case .failure(let error):
                service.failed("voicemail", error, requestID: request.id)
                // SignalWire retries a failed callback: a 503 gives the recording another chance.
                responder.fail(NotStored(what: "voicemail"))
            }
        }
    }

    /// Stored in the store's next batch; answered once committed.
    private func record(_ request: HTTPRequest, kind: String, parse: (HTTPRequest, Date) throws(WebhookError) -> StatusEvent,
                        _ responder: HTTPResponder) throws {
        let event = try parse(request, clock())
        store.recordStatus(event) { [logger, metrics, service, tracker] result in
            switch result {
            case .success(let outcome):
                // A leg's event (or the call's own) may change how the call ended.
                if event.kind == .call, outcome != .duplicate { tracker?.noticed(event.parent ?? event.id) }
                // The raw value, not "\(outcome)": interpolating an enum reflects on it (7.5k instructions).
                metrics.statusCallback(kind: kind, outcome: outcome.rawValue)
                logger.debug("Status recorded", metadata: [
                    "request.id": "\(request.id)", "id": "\(event.id)", "status": "\(event.status)", "outcome": "\(outcome.rawValue)",
                ])
                responder.respond(.noContent())
            case .failure(let error):
                service.failed("status", error, requestID: request.id)
                metrics.statusCallback(kind: kind, outcome: "error")
                responder.fail(NotStored(what: "status"))
            }
        }
    }
}
