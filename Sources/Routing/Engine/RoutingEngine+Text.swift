import FoundationEssentials

/// Texts: forwarding to a member, and the masked relay of a member's reply.
extension RoutingEngine {
    /// Forwards a customer's text to the chosen member (every eligible member for `simultaneous`),
    /// from the dialed number, prefixed with the sender. SIP members are skipped: they cannot text.
    func textOutcome(
        _ request: RouteRequest,
        pool: Pool,
        states: [String: PoolState],
        random: inout some RandomNumberGenerator
    ) -> RouteOutcome {
        let order = pool.order(state: states[pool.name] ?? PoolState(), channel: .sms, random: &random, for: request)
        guard let first = order.first else {
            // Nobody on duty (resolve hands over to a closed action's pool when there is one): the
            // closed auto-reply, if the pool has one; SignalWire's message log keeps the text.
            guard let reply = pool.hours?.smsReply else { return RouteOutcome(plan: .drop, records: []) }
            return RouteOutcome(plan: .message([OutboundMessage(to: request.from, from: request.to, body: reply)]), records: [])
        }
        let recipients = pool.strategy.ringsInParallel ? order : [first]
        let body = Self.forwardedBody(from: request.from, body: request.body)
        var messages = recipients.map {
            OutboundMessage(to: $0.address, from: request.to, body: body, mediaURLs: request.mediaURLs)
        }
        // After hours: the pool's auto-reply to the customer, besides the forward.
        if let hours = pool.hours, let reply = hours.smsReply, !hours.isOpen(at: request.now) {
            messages.append(OutboundMessage(to: request.from, from: request.to, body: reply))
        }
        return RouteOutcome(plan: .message(messages), records: [record(request, pool: pool.name, member: first.address)])
    }

    /// `From +15557654321: hello`. An MMS without text gets just `From +15557654321:` so the member
    /// still sees who sent the picture. Cut to `OutboundMessage.maxBodyLength` characters.
    package static func forwardedBody(from sender: String, body: String) -> String {
        let text = body.isEmpty ? "From \(sender):" : "From \(sender): \(body)"
        guard text.count > OutboundMessage.maxBodyLength else { return text }
        return String(text.prefix(OutboundMessage.maxBodyLength - 1)) + "…"
    }

    /// `request.from` when it is a member of the pool that takes texts to `request.to` (or of that
    /// pool's closed-hours pool), enabled or not: a member replying through the pool number.
    package func relayMember(for request: RouteRequest) -> String? {
        guard let name = routes.route(for: request.to)?.sms else { return nil }
        var next: String? = name
        var visited = Set<String>()
        while let current = next, visited.insert(current).inserted, let pool = routes.pools[current] {
            if pool.members.contains(where: { $0.address == request.from }) { return request.from }
            if case .pool(let closedPool) = pool.hours?.closed { next = closedPool } else { next = nil }
        }
        return nil
    }

    /// The pools `member` belongs to whose calls a member's reply may answer: each that voice routes
    /// (or a closed-hours action) can send a call to, sorted.
    package func callPools(of member: String) -> [String] {
        routes.pools.values.filter { pool in pool.members.contains { $0.address == member } }.map(\.name).sorted()
    }

    /// A member's reply relayed to `customer` from the pool number, text unprefixed and media kept.
    /// `.drop` when no customer is known, or the reply has neither text nor media.
    package func relay(_ request: RouteRequest, toCustomer customer: String?) -> RoutePlan {
        guard let customer, !customer.isEmpty, customer != request.from,
              !request.body.isEmpty || !request.mediaURLs.isEmpty else { return .drop }
        let body = request.body.count > OutboundMessage.maxBodyLength
            ? String(request.body.prefix(OutboundMessage.maxBodyLength - 1)) + "…"
            : request.body
        return .message([OutboundMessage(to: customer, from: request.to, body: body, mediaURLs: request.mediaURLs)])
    }
}

/// Whom a member's reply is for, among the customers with a conversation open with them.
package enum ReplyTarget: Sendable, Equatable {
    /// Send `body` (the reply without its address) to `customer`.
    case customer(String, body: String)
    /// Nobody to send it to: tell the member with this plan.
    case notice(RoutePlan)
}

extension RoutingEngine {
    /// The customer a member's reply is for. `open`: their conversations on the pool number, newest
    /// first. One open conversation: it gets the reply. Several: a reply that starts with `@` and the
    /// last digits of a customer's number (`@0123 yes`, or the whole number) goes to that customer,
    /// with the address taken off; any other reply goes to the newest. A reply nobody can receive is
    /// explained to the member, never dropped silently.
    package func replyTarget(_ request: RouteRequest, open: [String]) -> ReplyTarget {
        let customers = open.filter { $0 != request.from }
        guard !request.body.isEmpty || !request.mediaURLs.isEmpty else { return .notice(.drop) }
        guard let newest = customers.first else {
            return .notice(notice(request, "Not sent: nobody has called or texted this number for you in the last 30 days, so there is no one to reply to."))
        }
        guard let (digits, rest) = Self.address(in: request.body) else { return .customer(newest, body: request.body) }
        let matches = customers.filter { Self.digits(of: $0).hasSuffix(digits) }
        guard matches.count == 1, let customer = matches.first else {
            let list = customers.prefix(5).joined(separator: ", ")
            let why = matches.isEmpty ? "no conversation of yours is with a number ending \(digits)" : "several of your conversations end \(digits): use more digits"
            return .notice(notice(request, "Not sent: \(why). Open: \(list). Start a reply with @ and the last 4 digits, e.g. @\(Self.digits(of: newest).suffix(4))."))
        }
        return .customer(customer, body: rest)
    }

    /// `("0123", "yes")` for `"@0123 yes"`, `"@+12135550123: yes"`: at least 2 digits after `@`.
    static func address(in body: String) -> (digits: String, rest: String)? {
        guard body.hasPrefix("@") else { return nil }
        var rest = Substring(body.dropFirst())
        if rest.hasPrefix("+") { rest = rest.dropFirst() }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard digits.count >= 2 else { return nil }
        rest = rest.dropFirst(digits.count)
        if rest.hasPrefix(":") || rest.hasPrefix(",") { rest = rest.dropFirst() }
        return (String(digits), String(rest.drop { $0 == " " || $0 == "\n" || $0 == "\t" }))
    }

    static func digits(of number: String) -> String {
        String(number.filter { $0.isASCII && $0.isNumber })
    }

    private func notice(_ request: RouteRequest, _ text: String) -> RoutePlan {
        .message([OutboundMessage(to: request.from, from: request.to, body: text)])
    }
}

/// Opt-outs: a customer's STOP, START or HELP, and members' replies to a customer who opted out.
extension RoutingEngine {
    /// The keyword a customer's text to a routed number is (nil for members, unrouted numbers and
    /// ordinary texts).
    package func keyword(in request: RouteRequest) -> TextKeyword? {
        guard request.channel == .sms, request.mediaURLs.isEmpty, textPool(for: request) != nil,
              relayMember(for: request) == nil else { return nil }
        return TextKeyword.classify(request.body)
    }

    /// The answer to a keyword: the pool's reply to the customer, and a one-line notice to every
    /// member who takes texts instead of the forward (the keyword is not passed on as an ordinary text).
    package func keywordPlan(_ request: RouteRequest, _ keyword: TextKeyword) -> RoutePlan {
        guard let pool = textPool(for: request) else { return .drop }
        let reply: String
        let notice: String
        switch keyword {
        case .optOut:
            reply = pool.replies.optOut
            notice = "\(request.from) opted out (texted \(TextKeyword.word(request.body))): your replies to them will not be sent."
        case .optIn:
            reply = pool.replies.optIn
            notice = "\(request.from) opted back in to texts (\(TextKeyword.word(request.body)))."
        case .help:
            reply = pool.replies.help
            notice = "\(request.from) texted \(TextKeyword.word(request.body)) and got the help text; reply here to answer them."
        }
        var messages = [OutboundMessage(to: request.from, from: request.to, body: reply)]
        messages += pool.members.filter { $0.isEligible(for: .sms) }.map {
            OutboundMessage(to: $0.address, from: request.to, body: notice)
        }
        return .message(messages)
    }

    /// A member's reply to a customer who opted out: not sent; the member is told why.
    package func optedOutNotice(_ request: RouteRequest, customer: String) -> RoutePlan {
        .message([OutboundMessage(to: request.from, from: request.to,
                                  body: "Not sent: \(customer) has opted out of texts from this number (STOP). They can text START to opt back in.")])
    }

    /// A member's reply that cannot be checked against the opt-outs (the store failed): not sent, since
    /// a text to a customer who opted out is what carriers block numbers for.
    package func optOutsUnavailableNotice(_ request: RouteRequest) -> RoutePlan {
        .message([OutboundMessage(to: request.from, from: request.to,
                                  body: "Not sent: the opt-out list could not be read just now. Please send it again in a minute.")])
    }

    /// The pool that takes texts to `request.to`, as routes.json names it (before opening hours).
    func textPool(for request: RouteRequest) -> Pool? {
        routes.route(for: request.to)?.sms.flatMap { routes.pools[$0] }
    }
}
