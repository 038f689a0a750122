/// The routing table loaded from `routes.json`: which pool answers each number, and how each pool rings.
///
/// ## routes.json
///
/// ```json
/// {
///   "numbers": {
///     "+15550000001": { "voice": "sales", "sms": "sales", "greeting": "Thanks for calling Acme sales." },
///     "+15550000002": { "voice": "support", "sms": "support" }
///   },
///   "pools": {
///     "sales": {
///       "members": ["+15551111111", "+15551111112", { "number": "+15551111113", "name": "Ann", "weight": 2 }],
///       "strategy": "round_robin",
///       "ring_timeout": 20,
///       "confirm": true,
///       "caller_id": "number",
///       "voicemail": { "greeting": "Sales is busy. Leave a message.", "max_length": 180 },
///       "hours": {
///         "timezone": "America/New_York",
///         "open": { "mon": "09:00-17:00", "tue": ["09:00-12:00", "13:00-17:00"], "sat": [] },
///         "closed": { "action": "message", "message": "We are open weekdays from nine to five." }
///       },
///       "overflow": "support"
///     },
///     "support": { "members": ["+15552222221", { "number": "sip:bob@example.sip.signalwire.com", "name": "Bob" }], "sticky": true }
///   },
///   "default": { "voice": "support", "sms": "support" }
/// }
/// ```
///
/// | key | meaning |
/// |---|---|
/// | `numbers` | your own numbers (E.164) → `{ "voice": POOL, "sms": POOL, "greeting": TEXT }`, each optional |
/// | `default` | the same object, for any dialed number not listed in `numbers` |
/// | `pools` | pool name → pool |
///
/// A pool:
///
/// | key | default | meaning |
/// |---|---|---|
/// | `members` | (required) | E.164 numbers, `sip:` URIs, or `{ "number", "name", "weight" (≥ 1), "enabled" }` |
/// | `strategy` | `round_robin` | `round_robin`, `sequential`, `simultaneous`, `random` (by `weight`), `least_recent`, `fewest_calls` |
/// | `ring_timeout` | `20` | seconds each member rings, 5 to 600 |
/// | `confirm` | `false` | members press 1 to take a call, so their own voicemail cannot answer it |
/// | `caller_id` | `"caller"` | `"caller"` shows the caller's number, `"number"` the dialed number |
/// | `voicemail` | on | `false`, `true`, or `{ "greeting": TEXT, "max_length": SECONDS (1 to 3600, default 120) }` |
/// | `hours` | always open | `{ "timezone": IANA name, "open": { "mon": ["09:00-17:00"], ... }, "closed": ACTION }` |
/// | `overflow` | none | another pool rung when nobody in this one answers (chains allowed, cycles not) |
/// | `sticky` | `false` | a caller or texter who reached a member in the last 30 days reaches that member first |
///
/// Hours: days are `mon` `tue` `wed` `thu` `fri` `sat` `sun`, each a range `"HH:MM-HH:MM"` or a list of
/// ranges (`"24:00"` may end a range; a day not listed is closed all day; for a night shift, end one day at
/// `24:00` and start the next at `00:00`). `closed` is `{ "action": "voicemail" }` (the default),
/// `{ "action": "message", "message": TEXT }` (play it and hang up) or `{ "action": "pool", "pool": NAME }`
/// (route to that pool instead). Texts that arrive while closed are still forwarded, unless the action is
/// `pool`, which takes texts too.
package struct Routes: Sendable, Equatable {
    /// Keyed by the dialed number (E.164).
    package var numbers: [String: NumberRoute]
    /// Keyed by pool name.
    package var pools: [String: Pool]
    /// Used for dialed numbers that are not in `numbers`.
    package var defaultRoute: NumberRoute?

    package init(numbers: [String: NumberRoute] = [:], pools: [String: Pool] = [:], defaultRoute: NumberRoute? = nil) {
        self.numbers = numbers
        self.pools = pools
        self.defaultRoute = defaultRoute
    }

    /// The route for a dialed number: its own entry, else the default.
    package func route(for dialed: String) -> NumberRoute? {
        numbers[dialed] ?? defaultRoute
    }

    /// One line for `switchboard check`, e.g.
    /// `routes.json ok: 2 numbers, 2 pools, 5 members, default voice=support sms=support`.
    package var summary: String { summary(file: "routes.json") }

    /// `summary`, naming the file that was checked.
    package func summary(file: String) -> String {
        let memberCount = pools.values.reduce(0) { $0 + $1.members.count }
        var text = "\(file) ok: \(counted(numbers.count, "number")), \(counted(pools.count, "pool")), "
            + "\(counted(memberCount, "member")), "
        if let fallback = defaultRoute, fallback.voice != nil || fallback.sms != nil {
            text += "default"
            if let voice = fallback.voice { text += " voice=\(voice)" }
            if let sms = fallback.sms { text += " sms=\(sms)" }
        } else {
            text += "no default"
        }
        return text
    }

    private func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}

/// What a dialed number does: the pool for calls, the pool for texts, and a greeting played first.
/// A missing pool means that channel is not served (calls hear "not in service", texts are dropped).
package struct NumberRoute: Sendable, Equatable {
    package var voice: String?
    package var sms: String?
    package var greeting: String?

    package init(voice: String? = nil, sms: String? = nil, greeting: String? = nil) {
        self.voice = voice
        self.sms = sms
        self.greeting = greeting
    }

    /// The pool named for `channel`.
    package func pool(for channel: Channel) -> String? {
        switch channel {
        case .voice: voice
        case .sms: sms
        }
    }
}
