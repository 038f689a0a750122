import Dispatch
import FoundationEssentials
import HTTPServer
import Logging
import Routing
import Store
import Systemd
import Platform
import Synchronization

/// The running daemon: routes, store, HTTP server and systemd integration, started in order as
/// services of a `Lifecycle` and stopped in reverse.
package final class Daemon: Sendable {
    package let config: ServeConfig
    let logger: Logger
    let environment: [String: String]
    package let metrics = Metrics()
    private let notifier: SystemdNotifier?
    private let failureLog: StoreFailureLog
    private let activity = IdleRelease.Activity()
    private let lifecycle: Lifecycle
    private let stopped = DispatchSemaphore(value: 0)
    /// What start made that other threads ask for: the routes (SIGHUP), the port, the idle release.
    private struct Parts {
        var routes: RoutesFile?
        var server: HTTPServer?
        var idleRelease: IdleRelease?
    }
    private let parts = Mutex(Parts())

    /// Every stop is done within this (the unit's TimeoutStopSec is 20 s): the server's drain takes
    /// at most 10 s, a notification in progress 5 s.
    static let stopBound: Double = 15

    package init(config: ServeConfig, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.config = config
        self.logger = logger
        self.environment = environment
        self.notifier = SystemdNotifier(environment: environment)
        self.failureLog = StoreFailureLog(logger: logger)
        self.lifecycle = Lifecycle(logger: logger)
    }

    /// A group-commit batch that takes this long is logged as a warning.
    static let slowBatchSeconds = 0.1

    /// Every batch's time into the metrics. Callers wait for their batch, so a slow one (the disk, or
    /// another process holding the write lock) is also worth a line.
    static func timeBatches(metrics: Metrics, logger: Logger) -> @Sendable (StoreBatchTiming) -> Void {
        { timing in
            metrics.storeBatch(seconds: timing.seconds)
            if timing.seconds >= slowBatchSeconds {
                logger.warning("Slow database commit", metadata: [
                    "milliseconds": "\(Int(timing.seconds * 1000))", "jobs": "\(timing.jobs)",
                ])
            }
        }
    }

    /// One log line for each change of the store's health, as it happens (on the thread that saw it).
    static func logHealth(logger: Logger) -> @Sendable (StoreHealthEvent) -> Void {
        { event in
            switch event {
            case .degraded(let reason):
                logger.error("Store degraded", metadata: [
                    "reason": "\(reason)", "effect": "calls are answered from routes.json alone and not recorded until writes work again",
                ])
            case .recovered(let seconds, let failures):
                logger.notice("Store recovered", metadata: [
                    "degraded_seconds": "\(fixedPoint(seconds, decimals: 1))", "failed_writes": "\(failures)",
                ])
            case .reopened(let reason):
                logger.warning("Database reopened", metadata: ["reason": "\(reason)"])
            }
        }
    }

    /// Loads the routes, opens the database, listens, and tells systemd it is ready.
    /// Throws before listening when the routes or the configuration cannot be used; a database that
    /// cannot be opened for writing does not stop it: calls are answered from the routes alone, the
    /// store reports degraded and goes on trying. A `stop()` meanwhile ends it early, without an error.
    package func start() throws {
        try lifecycle.start(startServices)
    }

    private func startServices() throws {
        logger.notice("Starting", metadata: ["version": "\(SwitchboardVersion.current)"])
        logger.notice("Webhook authentication", metadata: config.authenticationSummary.mapValues { .string($0) })
        let routes = try RoutesFile(path: config.routesPath, logger: logger)
        logger.info("Routes loaded", metadata: ["path": "\(config.routesPath)", "summary": "\(routes.currentRoutes.summary)"])
        parts.withLock { $0.routes = routes }
        let location = StoreLocation(config.databasePath)
        if !location.isPostgres, let free = SQLiteStore.freeBytes(forDatabaseAt: config.databasePath), free < SQLiteStore.lowSpaceBytes {
            logger.warning("Low free space for the database", metadata: [
                "path": "\(config.databasePath)", "free_kib": "\(free / 1024)",
                "fix": "give the volume more room; until then the WAL and the file grow in small steps",
            ])
        }
        let store = try location.open(retrying: true, durableCommits: config.durableCommits,
                                      batchObserver: Self.timeBatches(metrics: metrics, logger: logger),
                                      healthObserver: Self.logHealth(logger: logger))
        try lifecycle.adopt("store", stop: store.close)
        if store.health.isHealthy {
            logger.info("Database open", metadata: [
                "path": "\(location.display)",
                "durability": "\(location.isPostgres ? "the server's" : config.durableCommits ? "full" : "normal")",
            ])
        }
        metrics.setStoreHealth { store.health }
        // Stopped after the tracker (whose last settling adds notifications), before the store.
        let transports = NotificationTransports.make(config, metrics: metrics, logger: logger)
        let notifications = Notifier(store: store, transports: transports, secret: config.notifySecret, metrics: metrics, logger: logger,
                                     onWord: { routes.current.routes.pools[$0]?.dutyKeywords.on.first ?? "ON" })
        try lifecycle.run("notifications", notifications)
        // Who is off duty, read into every decision; refreshed every second (other processes pause too).
        let roster = DutyRoster(store: store, logger: logger)
        try lifecycle.run("duty roster", ServiceSteps(start: roster.start, stop: roster.stop))
        // Settles what the last run left before the server listens; stopped after the server (no
        // more callbacks to follow).
        let tracker = CallTracker(store: store, routes: { routes.current }, metrics: metrics, logger: logger,
                                  failureLog: failureLog, quiet: config.missedAfterSeconds, onNotifications: { notifications.wake() },
                                  roster: roster)
        try lifecycle.run("call tracker", tracker)

        let server = try makeServer(routes: routes, store: store, tracker: tracker, roster: roster)
        let listening = try startServer(server)
        // Before READY, so that what start-up alone used is not counted against the daemon.
        let idleRelease = IdleRelease(interval: config.idleReleaseInterval, activity: activity, logger: logger)
        parts.withLock { $0.idleRelease = idleRelease }
        try lifecycle.run("idle release", ServiceSteps(stop: idleRelease.cancel))
        try lifecycle.run("systemd", ServiceSteps(
            start: { [notifier] in _ = notifier?.ready(status: Self.statusLine(serving: listening, health: store.health)) },
            stop: { [notifier] in _ = notifier?.stopping(status: "Finishing requests in flight") }
        ))
        if let notifier, let watchdog = Watchdog(environment: environment, notifier: notifier, isHealthy: {
            // A degraded store is no reason to be restarted (a restart does not free a disk), so the
            // watchdog asks the database to answer only while it is healthy: a wedged one stops the pings.
            !store.health.isHealthy || (try? store.ping()) != nil
        }) {
            try lifecycle.run("watchdog", ServiceSteps(start: watchdog.start, stop: watchdog.stop))
        }
        try lifecycle.run("store monitor", monitor(store: store, serving: listening))
        try lifecycle.run("routes watch", ServiceSteps(
            start: { [metrics] in routes.watch(every: 2) { result in metrics.reload(succeeded: result == .reloaded) } },
            stop: routes.stopWatching
        ))
        try lifecycle.run("pruning", pruning(store: store))
        try startConfiguration(routes: routes, store: store)
    }

    /// The HTTP server over the daemon's routes, on systemd's socket when it passed one.
    private func makeServer(routes: RoutesFile, store: any SwitchboardStore, tracker: CallTracker, roster: DutyRoster) throws -> HTTPServer {
        let handler = makeHandler(routes: routes, store: store, tracker: tracker, roster: roster)
        let inherited = SocketActivation.listeningSockets(environment: environment).first
        if let inherited {
            SocketActivation.unsetEnvironment()
            // The loopback rule applies to the address systemd bound, not to --listen.
            var exposed = config
            exposed.listen = ListenAddress.bound(to: inherited) ?? ListenAddress(host: "::", port: 0)
            try exposed.checkExposure()
        }
        var serverConfiguration = HTTPServer.Configuration(address: config.listen, limits: config.limits, inheritedSocket: inherited)
        // No handler blocks (decisions, status callbacks and voicemails answer when their batch
        // commits; database reads run off the loop), so handlers run on the event loop itself.
        serverConfiguration.handlersMayBlock = false
        // The decisions one turn of the event loop asks for share one commit.
        serverConfiguration.turnStarted = { store.holdCommits() }
        serverConfiguration.turnEnded = { store.releaseCommits() }
        let server = HTTPServer(configuration: serverConfiguration, logger: logger, asyncHandler: handler)
        metrics.setOpenConnections { [weak server] in server?.openConnections ?? 0 }
        return server
    }

    /// Listens, and says where.
    private func startServer(_ server: HTTPServer) throws -> String {
        try lifecycle.run("http server", ServiceSteps(start: server.start, stop: { server.shutdown(timeout: 10) }))
        parts.withLock { $0.server = server }
        let listening = server.configuration.inheritedSocket.map { "inherited socket fd \($0)" } ?? "\(config.listen.host) port \(server.port)"
        logger.notice("Listening", metadata: ["on": "\(listening)", "public_url": "\(config.publicURL?.description ?? "none")"])
        return listening
    }

    /// The port actually bound (tests use port 0).
    package var port: Int { parts.withLock { $0.server }?.port ?? 0 }

    var idleRelease: IdleRelease? { parts.withLock { $0.idleRelease } }

    /// SIGHUP: re-read routes.json; a bad file is refused and the running routes stay.
    package func reload() {
        guard let routes = parts.withLock({ $0.routes }) else { return }
        _ = notifier?.reloading(status: "Reloading routes")
        let result = routes.reload()
        metrics.reload(succeeded: result == .reloaded)
        switch result {
        case .refused: _ = notifier?.ready(status: "Routes refused; previous routes in force")
        default: _ = notifier?.ready(status: "Routes reloaded")
        }
    }

    /// SIGTERM: stop accepting, finish requests in flight (bounded), close the database, release
    /// `wait()`. During `start()`, it waits for the part starting, and stops what started.
    package func stop() {
        logger.notice("Stopping", metadata: ["timeout": "\(Int(Self.stopBound))"])
        lifecycle.stop(bound: Self.stopBound)
        logger.notice("Stopped")
        stopped.signal()
    }

    /// Blocks until `stop()` has finished.
    package func wait() {
        stopped.wait()
    }

    // MARK: Wiring

    func makeHandler(routes: RoutesFile, store: any SwitchboardStore, tracker: CallTracker? = nil, roster: DutyRoster? = nil) -> HTTPAsyncHandler {
        // Callback URLs carry the public URL's credentials when it has them: the callbacks are
        // authenticated like every other webhook.
        let webhooks = WebhookEndpoints(routes: routes, store: store, callbackBase: config.publicURL?.raw, metrics: metrics, logger: logger,
                                        failureLog: failureLog, tracker: tracker, roster: roster)
        let admin = AdminEndpoints(routes: routes, store: store, roster: roster)
        let authenticator = WebhookAuthenticator(publicURL: config.publicURL, signingKey: config.signingKey,
                                                 mode: config.signatureMode, logger: logger)
        let signed = WebhookGuard(authenticator: authenticator, metrics: metrics, activity: activity)
        let probe = ProbeEndpoint(authenticator: authenticator)
        let bearer = BearerAuth(token: config.adminToken)
        let publicURL = config.publicURL
        let (metrics, logger) = (metrics, logger)
        var router = HTTPRouter { error, request in
            logger.error("Request failed", metadata: ["request.id": "\(request.id)", "path": "\(request.path)", "error": "\(error)"])
        }
        // Endpoints that only SignalWire may call.
        router.addAsync("GET", "POST", path: "/voice", through: [signed], webhooks.voice)
        router.addAsync("GET", "POST", path: "/sms", through: [signed], webhooks.sms)
        router.addAsync("GET", "POST", path: "/status/call", through: [signed], webhooks.callStatus)
        router.addAsync("GET", "POST", path: "/status/message", through: [signed], webhooks.messageStatus)
        router.addAsync("GET", "POST", path: "/voicemail", through: [signed], webhooks.voicemail)
        // `switchboard doctor`, through the public URL: who answers, and does its signature verify.
        router.add("POST", path: "/probe", probe.answer)
        // Database reads may wait on SQLite: off the event loop. 503 while writes fail, with why.
        router.addBlocking("GET", path: "/healthz") { _ in
            let health = store.health
            guard health.isHealthy else { return .text(503, health.summary(at: Date())) }
            do {
                try store.ping()
                return .text(200, "ok")
            } catch {
                return .text(503, "database unavailable")
            }
        }
        // Liveness for orchestrators that restart on a failed probe: the daemon answers, whatever the
        // store's health (a restart does not free a full disk).
        router.add("GET", path: "/livez") { _ in .text(200, "ok") }
        router.add("GET", path: "/metrics") { _ in
            HTTPResponse(status: 200, contentType: Metrics.contentType, body: Array(metrics.render().utf8))
        }
        // The operator page: no data in it (everything comes from /admin/overview with the token).
        router.add("GET", path: "/admin/") { _ in OperatorPage.response }
        router.add("GET", path: "/admin") { _ in OperatorPage.response }
        router.addBlocking("GET", path: "/admin/pools", through: [bearer], admin.pools)
        router.addBlocking("GET", path: "/admin/calls", through: [bearer]) { try admin.decisions($0, channel: .voice) }
        router.addBlocking("GET", path: "/admin/messages", through: [bearer]) { try admin.decisions($0, channel: .sms) }
        router.addBlocking("GET", path: "/admin/optouts", through: [bearer], admin.optOuts)
        router.addBlocking("GET", path: "/admin/voicemails", through: [bearer], admin.voicemails)
        router.addBlocking("GET", path: "/admin/overview", through: [bearer], admin.overview)
        // /admin/pools/{pool}/members/{member}/pause|resume (the path after any public URL prefix).
        router.addBlocking("POST", path: "/admin/pools/*", through: [bearer]) { request in
            try admin.duty(request, path: publicURL?.routePath(request.path) ?? request.path)
        }
        let table = router
        router.use(RequestLog(metrics: metrics, logger: logger, endpoint: { table.route(of: $0) }))

        let routed = router
        return { request, responder in
            routed.handle(request, path: publicURL?.routePath(request.path) ?? request.path, responder: responder)
        }
    }

    /// systemd's `STATUS=` line: where it serves, and the store's health when degraded.
    static func statusLine(serving: String, health: StoreHealth) -> String {
        guard let since = health.since, !health.isHealthy else { return "Serving on \(serving)" }
        return "Serving on \(serving); database degraded since \(since.formatted(.iso8601)): \(health.reason ?? "writes failing")"
    }

    /// Every half second: the store's upkeep (a deleted database file noticed, retries while degraded),
    /// the summary of repeated store failures, and `STATUS=` when the store's health changed.
    private func monitor(store: any SwitchboardStore, serving: String) -> ServiceSteps {
        let timer = RepeatingTimer(label: "switchboard.store.monitor")
        let status = Locked(Self.statusLine(serving: serving, health: store.health))
        return ServiceSteps(start: { [failureLog, notifier] in
            timer.start(every: 0.5, leeway: .milliseconds(100)) {
                store.maintain()
                failureLog.flush()
                let line = Self.statusLine(serving: serving, health: store.health)
                let changed = status.withLock { last in
                    defer { last = line }
                    return last != line
                }
                if changed { _ = notifier?.status(line) }
            }
        }, stop: timer.stop)
    }

    /// A minute after start, then every 6 hours: rows older than the retention removed.
    private func pruning(store: any SwitchboardStore) -> ServiceSteps {
        let days = config.retentionDays
        let timer = RepeatingTimer(label: "switchboard.prune")
        return ServiceSteps(start: { [logger, metrics] in
            timer.start(every: 6 * 3600, after: 60) {
                do {
                    let removed = try store.prune(olderThan: Date().addingTimeInterval(-Double(days) * 86400))
                    logger.info("Pruned old rows", metadata: ["rows": "\(removed)", "days": "\(days)"])
                } catch {
                    metrics.storeError(operation: "prune")
                    logger.error("Prune failed", metadata: ["error": "\(error)"])
                }
            }
        }, stop: timer.stop)
    }

    private func startConfiguration(routes: RoutesFile, store: any SwitchboardStore) throws {
        guard config.configureOnStart else {
            logger.info("Auto-configuration off (--no-configure)")
            return
        }
        guard let configurator = AutoConfigurator(config: config, metrics: metrics, logger: logger, store: store) else {
            logger.info("Auto-configuration off: needs SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN, SIGNALWIRE_SPACE_URL and a public URL")
            return
        }
        try lifecycle.run("auto-configuration", ServiceSteps(start: {
            configurator.run(routes: routes.currentRoutes)
            routes.onReload { routes in configurator.run(routes: routes) }
        }, stop: configurator.cancel))
    }
}
