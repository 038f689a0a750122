import Testing
@testable import Routing

/// A document with pool "sales" as given, pool "support", and one number routed to sales.
private func sales(_ body: String, support: String = #"{"members": ["+15552222221"]}"#) -> String {
    """
    {
      "numbers": { "+15550000001": { "voice": "sales", "sms": "sales" } },
      "pools": {
        "sales": \(body),
        "support": \(support)
      }
    }
    """
}

/// `sales` with an `hours` object inside an otherwise valid pool.
private func hours(_ body: String, extra: String = "") -> String {
    sales(#"{"members": ["+15551111111"], "hours": \#(body)\#(extra)}"#)
}

private func numbers(_ body: String) -> String {
    """
    { "numbers": \(body), "pools": { "sales": { "members": ["+15551111111"] }, "support": { "members": ["+15552222221"] } } }
    """
}

struct BadRoutes: CustomTestStringConvertible, Sendable {
    var name: String
    var document: String
    var path: String
    var fragment: String
    var testDescription: String { name }
}

private let badRoutes: [BadRoutes] = [
    BadRoutes(name: "top level is an array", document: "[]", path: "", fragment: "expected an object, found an array"),
    BadRoutes(name: "no pools", document: #"{"default": {"voice": "x"}}"#, path: "", fragment: "missing \"pools\""),
    BadRoutes(name: "unknown top-level key", document: #"{"pool": {}, "pools": {"a": {"members": ["+15551111111"]}}, "default": {"voice": "a"}}"#,
              path: "pool", fragment: "unknown key \"pool\"; did you mean \"pools\"?"),
    BadRoutes(name: "nothing routed", document: #"{"pools": {"a": {"members": ["+15551111111"]}}}"#, path: "", fragment: "nothing is routed"),
    BadRoutes(name: "pools is an array", document: #"{"pools": [], "default": {"voice": "a"}}"#, path: "pools", fragment: "expected an object, found an array"),
    BadRoutes(name: "pools is empty", document: #"{"pools": {}, "default": {"voice": "a"}}"#, path: "pools", fragment: "no pools"),
    BadRoutes(name: "numbers is a list", document: #"{"numbers": ["+15550000001"], "pools": {"a": {"members": ["+15551111111"]}}}"#,
              path: "numbers", fragment: "expected an object, found an array"),
    BadRoutes(name: "number key too short", document: numbers(#"{"+1555": {"voice": "sales"}}"#),
              path: "numbers.+1555", fragment: "\"+1555\" is not an E.164 number"),
    BadRoutes(name: "number key with dashes", document: numbers(#"{"+1-555-000-0001": {"voice": "sales"}}"#),
              path: "numbers.+1-555-000-0001", fragment: "write it as \"+15550000001\""),
    BadRoutes(name: "number key without plus", document: numbers(#"{"15550000001": {"voice": "sales"}}"#),
              path: "numbers.15550000001", fragment: "is not an E.164 number"),
    BadRoutes(name: "number route is a string", document: numbers(#"{"+15550000001": "sales"}"#),
              path: "numbers.+15550000001", fragment: "expected an object, found a string"),
    BadRoutes(name: "misspelt voice", document: numbers(#"{"+15550000001": {"voise": "sales"}}"#),
              path: "numbers.+15550000001.voise", fragment: "did you mean \"voice\"?"),
    BadRoutes(name: "unknown voice pool, close", document: numbers(#"{"+15550000001": {"voice": "slaes"}}"#),
              path: "numbers.+15550000001.voice", fragment: "no pool named \"slaes\" (did you mean \"sales\"?)"),
    BadRoutes(name: "unknown sms pool, far", document: numbers(#"{"+15550000001": {"sms": "billing"}}"#),
              path: "numbers.+15550000001.sms", fragment: "no pool named \"billing\"; pools: sales, support"),
    BadRoutes(name: "unknown default pool",
              document: #"{"pools": {"sales": {"members": ["+15551111111"]}}, "default": {"voice": "support"}}"#,
              path: "default.voice", fragment: "no pool named \"support\""),
    BadRoutes(name: "voice is a number", document: numbers(#"{"+15550000001": {"voice": 1}}"#),
              path: "numbers.+15550000001.voice", fragment: "expected a string, found a number"),
    BadRoutes(name: "empty greeting", document: numbers(#"{"+15550000001": {"voice": "sales", "greeting": " "}}"#),
              path: "numbers.+15550000001.greeting", fragment: "must not be empty"),
    BadRoutes(name: "members missing", document: sales(#"{"strategy": "sequential"}"#),
              path: "pools.sales", fragment: "missing \"members\""),
    BadRoutes(name: "members is a string", document: sales(#"{"members": "+15551111111"}"#),
              path: "pools.sales.members", fragment: "expected an array of members, found a string"),
    BadRoutes(name: "members empty", document: sales(#"{"members": []}"#),
              path: "pools.sales.members", fragment: "the pool has no members"),
    BadRoutes(name: "short member number", document: sales(#"{"members": ["+15551111111", "+1555", "+15551111113"]}"#),
              path: "pools.sales.members[1]", fragment: "\"+1555\" is not an E.164 number or sip: URI"),
    BadRoutes(name: "member number with spaces", document: sales(#"{"members": ["+1 555 111 1111"]}"#),
              path: "pools.sales.members[0]", fragment: "write it as \"+15551111111\""),
    BadRoutes(name: "empty sip uri", document: sales(#"{"members": ["sip:"]}"#),
              path: "pools.sales.members[0]", fragment: "\"sip:\" is not an E.164 number or sip: URI"),
    BadRoutes(name: "member is a JSON number", document: sales(#"{"members": [15551111111]}"#),
              path: "pools.sales.members[0]", fragment: "expected a number, a sip: URI or an object with \"number\", found a number"),
    BadRoutes(name: "member object without number", document: sales(#"{"members": [{"name": "Ann"}]}"#),
              path: "pools.sales.members[0]", fragment: "missing \"number\""),
    BadRoutes(name: "member object misspelt key", document: sales(#"{"members": [{"number": "+15551111111", "nmae": "Ann"}]}"#),
              path: "pools.sales.members[0].nmae", fragment: "did you mean \"name\"?"),
    BadRoutes(name: "weight zero", document: sales(#"{"members": [{"number": "+15551111111", "weight": 0}]}"#),
              path: "pools.sales.members[0].weight", fragment: "must be between 1 and 1000, found 0"),
    BadRoutes(name: "sms replies misspelt key", document: sales(#"{"members": ["+15551111111"], "sms_replies": {"opt_uot": "Bye"}}"#),
              path: "pools.sales.sms_replies.opt_uot", fragment: "did you mean \"opt_out\"?"),
    BadRoutes(name: "sms replies empty text", document: sales(#"{"members": ["+15551111111"], "sms_replies": {"help": " "}}"#),
              path: "pools.sales.sms_replies.help", fragment: "must not be empty"),
    BadRoutes(name: "sms replies not an object", document: sales(#"{"members": ["+15551111111"], "sms_replies": "Bye"}"#),
              path: "pools.sales.sms_replies", fragment: "expected an object"),
    BadRoutes(name: "sms replies too long", document: sales(#"{"members": ["+15551111111"], "sms_replies": {"opt_in": "\#(String(repeating: "x", count: 1601))"}}"#),
              path: "pools.sales.sms_replies.opt_in", fragment: "longer than 1600 characters"),
    BadRoutes(name: "sms_replies misspelt", document: sales(#"{"members": ["+15551111111"], "sms_reply": {}}"#),
              path: "pools.sales.sms_reply", fragment: "did you mean \"sms_replies\"?"),
    BadRoutes(name: "conversation hours too long", document: sales(#"{"members": ["+15551111111"], "conversation_hours": 1000}"#),
              path: "pools.sales.conversation_hours", fragment: "720"),
    BadRoutes(name: "conversation hours text", document: sales(#"{"members": ["+15551111111"], "conversation_hours": "24h"}"#),
              path: "pools.sales.conversation_hours", fragment: "expected"),
    BadRoutes(name: "closed sms reply empty", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "voicemail", "sms_reply": ""}}"#),
              path: "pools.sales.hours.closed.sms_reply", fragment: "must not be empty"),
    BadRoutes(name: "closed sms reply misspelt", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "voicemail", "sms_replay": "x"}}"#),
              path: "pools.sales.hours.closed.sms_replay", fragment: "did you mean \"sms_reply\"?"),
    BadRoutes(name: "weight fraction", document: sales(#"{"members": [{"number": "+15551111111", "weight": 1.5}]}"#),
              path: "pools.sales.members[0].weight", fragment: "expected a whole number, found 1.5"),
    BadRoutes(name: "enabled is a string", document: sales(#"{"members": [{"number": "+15551111111", "enabled": "yes"}]}"#),
              path: "pools.sales.members[0].enabled", fragment: "expected true or false, found a string"),
    BadRoutes(name: "duplicate member", document: sales(#"{"members": ["+15551111111", "+15551111112", "+15551111111"]}"#),
              path: "pools.sales.members[2]", fragment: "duplicate member \"+15551111111\" (also members[0])"),
    BadRoutes(name: "duplicate sip member in another case",
              document: sales(#"{"members": ["sip:bob@example.com", {"number": "sip:Bob@Example.com"}]}"#),
              path: "pools.sales.members[1]", fragment: "duplicate member \"sip:Bob@Example.com\" (also members[0])"),
    BadRoutes(name: "every member disabled", document: sales(#"{"members": [{"number": "+15551111111", "enabled": false}]}"#),
              path: "pools.sales.members", fragment: "no member is enabled"),
    BadRoutes(name: "strategy typo", document: sales(#"{"members": ["+15551111111"], "strategy": "roundrobin"}"#),
              path: "pools.sales.strategy", fragment: "\"roundrobin\" is not a strategy (did you mean \"round_robin\"?)"),
    BadRoutes(name: "unknown strategy", document: sales(#"{"members": ["+15551111111"], "strategy": "fastest"}"#),
              path: "pools.sales.strategy",
              fragment: "valid: round_robin, sequential, simultaneous, random, least_recent, fewest_calls"),
    BadRoutes(name: "ring timeout too short", document: sales(#"{"members": ["+15551111111"], "ring_timeout": 3}"#),
              path: "pools.sales.ring_timeout", fragment: "must be between 5 and 600 seconds, found 3"),
    BadRoutes(name: "ring timeout too long", document: sales(#"{"members": ["+15551111111"], "ring_timeout": 601}"#),
              path: "pools.sales.ring_timeout", fragment: "must be between 5 and 600 seconds, found 601"),
    BadRoutes(name: "ring timeout is a string", document: sales(#"{"members": ["+15551111111"], "ring_timeout": "20"}"#),
              path: "pools.sales.ring_timeout", fragment: "expected a number, found a string"),
    BadRoutes(name: "ring timeout fraction", document: sales(#"{"members": ["+15551111111"], "ring_timeout": 20.5}"#),
              path: "pools.sales.ring_timeout", fragment: "expected a whole number of seconds"),
    BadRoutes(name: "misspelt ring_timeout", document: sales(#"{"members": ["+15551111111"], "ring_timout": 20}"#),
              path: "pools.sales.ring_timout", fragment: "unknown key \"ring_timout\"; did you mean \"ring_timeout\"?"),
    BadRoutes(name: "camel-case key", document: sales(#"{"members": ["+15551111111"], "callerId": "number"}"#),
              path: "pools.sales.callerId", fragment: "did you mean \"caller_id\"?"),
    BadRoutes(name: "unknown key without a close match", document: sales(#"{"members": ["+15551111111"], "colour": "red"}"#),
              path: "pools.sales.colour", fragment: "known keys: members, strategy, ring_timeout"),
    BadRoutes(name: "bad caller id", document: sales(#"{"members": ["+15551111111"], "caller_id": "dialed"}"#),
              path: "pools.sales.caller_id", fragment: "\"dialed\" is not a caller_id; valid: caller, number"),
    BadRoutes(name: "confirm is a string", document: sales(#"{"members": ["+15551111111"], "confirm": "true"}"#),
              path: "pools.sales.confirm", fragment: "expected true or false"),
    BadRoutes(name: "sticky is a number", document: sales(#"{"members": ["+15551111111"], "sticky": 1}"#),
              path: "pools.sales.sticky", fragment: "expected true or false, found a number"),
    BadRoutes(name: "voicemail is a string", document: sales(#"{"members": ["+15551111111"], "voicemail": "on"}"#),
              path: "pools.sales.voicemail", fragment: "expected true, false or an object"),
    BadRoutes(name: "voicemail max_length zero", document: sales(#"{"members": ["+15551111111"], "voicemail": {"max_length": 0}}"#),
              path: "pools.sales.voicemail.max_length", fragment: "must be between 1 and 3600 seconds"),
    BadRoutes(name: "voicemail misspelt key", document: sales(#"{"members": ["+15551111111"], "voicemail": {"maxlength": 60}}"#),
              path: "pools.sales.voicemail.maxlength", fragment: "did you mean \"max_length\"?"),
    BadRoutes(name: "unknown overflow pool", document: sales(#"{"members": ["+15551111111"], "overflow": "suport"}"#),
              path: "pools.sales.overflow", fragment: "no pool named \"suport\" (did you mean \"support\"?)"),
    BadRoutes(name: "overflow to itself", document: sales(#"{"members": ["+15551111111"], "overflow": "sales"}"#),
              path: "pools.sales.overflow", fragment: "a pool cannot overflow to itself"),
    BadRoutes(name: "overflow cycle of two", document: sales(#"{"members": ["+15551111111"], "overflow": "support"}"#,
                                                             support: #"{"members": ["+15552222221"], "overflow": "sales"}"#),
              path: "pools.sales.overflow", fragment: "overflow cycle: sales -> support -> sales"),
    BadRoutes(name: "overflow cycle of three", document: """
              {"default": {"voice": "a"}, "pools": {
                "c": {"members": ["+15551111113"], "overflow": "a"},
                "b": {"members": ["+15551111112"], "overflow": "c"},
                "a": {"members": ["+15551111111"], "overflow": "b"},
                "d": {"members": ["+15551111114"], "overflow": "a"}}}
              """, path: "pools.a.overflow", fragment: "overflow cycle: a -> b -> c -> a"),
    BadRoutes(name: "hours without timezone", document: hours(#"{"open": {"mon": "09:00-17:00"}}"#),
              path: "pools.sales.hours", fragment: "missing \"timezone\""),
    BadRoutes(name: "misspelt timezone", document: hours(#"{"timezone": "America/New_Yrok", "open": {}}"#),
              path: "pools.sales.hours.timezone", fragment: "\"America/New_Yrok\" is not an IANA timezone (did you mean \"America/New_York\"?)"),
    BadRoutes(name: "timezone with a space", document: hours(#"{"timezone": "America/Los Angeles", "open": {}}"#),
              path: "pools.sales.hours.timezone", fragment: "did you mean \"America/Los_Angeles\"?"),
    BadRoutes(name: "made-up timezone", document: hours(#"{"timezone": "Mars/Olympus_Mons_Base", "open": {}}"#),
              path: "pools.sales.hours.timezone", fragment: "is not an IANA timezone"),
    BadRoutes(name: "hours without open", document: hours(#"{"timezone": "UTC"}"#),
              path: "pools.sales.hours", fragment: "missing \"open\""),
    BadRoutes(name: "unknown weekday", document: hours(#"{"timezone": "UTC", "open": {"monday": "09:00-17:00"}}"#),
              path: "pools.sales.hours.open.monday", fragment: "unknown key \"monday\"; known keys: mon, tue, wed, thu, fri, sat, sun"),
    BadRoutes(name: "single-digit hour", document: hours(#"{"timezone": "UTC", "open": {"mon": "9:00-17:00"}}"#),
              path: "pools.sales.hours.open.mon", fragment: "\"9:00-17:00\" is not a time range like \"09:00-17:00\""),
    BadRoutes(name: "range ends before it starts", document: hours(#"{"timezone": "UTC", "open": {"fri": ["22:00-06:00"]}}"#),
              path: "pools.sales.hours.open.fri[0]", fragment: "ends before it starts; split a night shift at midnight, \"22:00-24:00\" and \"00:00-06:00\""),
    BadRoutes(name: "empty range", document: hours(#"{"timezone": "UTC", "open": {"fri": ["10:00-10:00"]}}"#),
              path: "pools.sales.hours.open.fri[0]", fragment: "ends before it starts"),
    BadRoutes(name: "range starts at 24:00", document: hours(#"{"timezone": "UTC", "open": {"sat": "24:00-24:00"}}"#),
              path: "pools.sales.hours.open.sat", fragment: "24:00 can only end a range"),
    BadRoutes(name: "hour 25", document: hours(#"{"timezone": "UTC", "open": {"sun": "09:00-25:00"}}"#),
              path: "pools.sales.hours.open.sun", fragment: "is not a time range"),
    BadRoutes(name: "minute 60", document: hours(#"{"timezone": "UTC", "open": {"sun": "09:60-10:00"}}"#),
              path: "pools.sales.hours.open.sun", fragment: "is not a time range"),
    BadRoutes(name: "overlapping ranges", document: hours(#"{"timezone": "UTC", "open": {"tue": ["09:00-12:00", "11:00-13:00"]}}"#),
              path: "pools.sales.hours.open.tue[1]", fragment: "\"11:00-13:00\" overlaps \"09:00-12:00\""),
    BadRoutes(name: "day is a number", document: hours(#"{"timezone": "UTC", "open": {"wed": 9}}"#),
              path: "pools.sales.hours.open.wed", fragment: "expected \"HH:MM-HH:MM\" or a list of them, found a number"),
    BadRoutes(name: "misspelt closed action", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "voicemial"}}"#),
              path: "pools.sales.hours.closed.action", fragment: "\"voicemial\" is not a closed action (did you mean \"voicemail\"?); valid: voicemail, message, pool"),
    BadRoutes(name: "closed message without text", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "message"}}"#),
              path: "pools.sales.hours.closed", fragment: "missing \"message\""),
    BadRoutes(name: "closed without action", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"pool": "support"}}"#),
              path: "pools.sales.hours.closed", fragment: "missing \"action\""),
    BadRoutes(name: "closed pool unknown", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "pool", "pool": "night"}}"#),
              path: "pools.sales.hours.closed.pool", fragment: "no pool named \"night\""),
    BadRoutes(name: "closed pool is itself", document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "pool", "pool": "sales"}}"#),
              path: "pools.sales.hours.closed.pool", fragment: "cannot send its closed hours to itself"),
    BadRoutes(name: "closed-hours cycle",
              document: sales(#"{"members": ["+15551111111"], "hours": {"timezone": "UTC", "open": {}, "closed": {"action": "pool", "pool": "support"}}}"#,
                              support: #"{"members": ["+15552222221"], "hours": {"timezone": "UTC", "open": {}, "closed": {"action": "pool", "pool": "sales"}}}"#),
              path: "pools.sales.hours.closed.pool", fragment: "closed-hours cycle: sales -> support -> sales"),
    BadRoutes(name: "closed to voicemail without voicemail",
              document: hours(#"{"timezone": "UTC", "open": {}}"#, extra: #", "voicemail": false"#),
              path: "pools.sales.hours.closed", fragment: "closed action \"voicemail\" needs the pool's voicemail"),
    BadRoutes(name: "closed key that does nothing",
              document: hours(#"{"timezone": "UTC", "open": {}, "closed": {"action": "voicemail", "message": "bye"}}"#),
              path: "pools.sales.hours.closed.message", fragment: "\"message\" has no effect with action \"voicemail\""),
    BadRoutes(name: "duplicate pool name", document: """
              {"default": {"voice": "a"}, "pools": {"a": {"members": ["+15551111111"]},
               "a": {"members": ["+15551111112"]}}}
              """, path: "pools.a", fragment: "duplicate key \"a\" (first at 1:39)"),
    BadRoutes(name: "duplicate pool setting", document: sales(#"{"members": ["+15551111111"], "strategy": "random", "strategy": "sequential"}"#),
              path: "pools.sales.strategy", fragment: "duplicate key \"strategy\""),
    BadRoutes(name: "texts to a SIP-only pool", document: sales(#"{"members": ["sip:ann@example.com"]}"#),
              path: "numbers.+15550000001.sms", fragment: "pool \"sales\" has no enabled phone number to receive texts"),
    BadRoutes(name: "member is a routed number", document: sales(#"{"members": ["+15550000001", "+15551111111"]}"#),
              path: "pools.sales.members[0]", fragment: "is one of the numbers routed here; ringing it would loop"),
    BadRoutes(name: "empty pool name", document: #"{"default": {"voice": ""}, "pools": {"": {"members": ["+15551111111"]}}}"#,
              path: #"pools[""]"#, fragment: "a pool name must be 1 to 64 characters"),
    BadRoutes(name: "member problem in a pool with a space in its name",
              document: #"{"default": {"voice": "my pool"}, "pools": {"my pool": {"members": ["+1"]}}}"#,
              path: #"pools["my pool"].members[0]"#, fragment: "is not an E.164 number"),
    BadRoutes(name: "syntax error", document: "{\n  \"pools\": {\n    \"a\": {\"members\": [\"+15551111111\"] \"x\": 1}\n  }\n}",
              path: "", fragment: "expected ',' or '}'"),
    BadRoutes(name: "empty file", document: " \n ", path: "", fragment: "the file is empty"),
    BadRoutes(name: "notify names nobody", document: sales(#"{"members": ["+15551111111"], "notify": {"on": ["missed"]}}"#),
              path: "pools.sales.notify", fragment: "names nobody to notify"),
    BadRoutes(name: "notify unknown event", document: sales(#"{"members": ["+15551111111"], "notify": {"on": ["busy"], "sms": ["members"]}}"#),
              path: "pools.sales.notify.on[0]", fragment: "\"busy\" is not an event; valid: missed, voicemail"),
    BadRoutes(name: "notify sms not a number", document: sales(#"{"members": ["+15551111111"], "notify": {"sms": ["555-1234"]}}"#),
              path: "pools.sales.notify.sms[0]", fragment: "expected \"members\" or an E.164 number"),
    BadRoutes(name: "notify sms is a string", document: sales(#"{"members": ["+15551111111"], "notify": {"sms": "members"}}"#),
              path: "pools.sales.notify.sms", fragment: "expected a list of strings, found a string"),
    BadRoutes(name: "notify bad email", document: sales(#"{"members": ["+15551111111"], "notify": {"email": ["team at example.com"]}}"#),
              path: "pools.sales.notify.email[0]", fragment: "is not an email address"),
    BadRoutes(name: "notify webhook not http", document: sales(#"{"members": ["+15551111111"], "notify": {"webhook": "ftp://x"}}"#),
              path: "pools.sales.notify.webhook", fragment: "expected an http:// or https:// URL"),
    BadRoutes(name: "notify misspelt key", document: sales(#"{"members": ["+15551111111"], "notify": {"emails": ["a@b.co"]}}"#),
              path: "pools.sales.notify.emails", fragment: "did you mean \"email\"?"),
]

@Suite("routes.json validation")
struct RoutesValidationTests {
    @Test(arguments: badRoutes)
    func reportsTheProblem(_ bad: BadRoutes) {
        let found = problems(bad.document)
        #expect(!found.isEmpty, "validated: \(bad.name)")
        let match = found.first { $0.path == bad.path && $0.message.contains(bad.fragment) }
        #expect(match != nil, "\(bad.name): wanted \(bad.path): …\(bad.fragment)…, got:\n\(RoutesError(problems: found))")
    }

    @Test func notifyIsReadWithItsDefaults() throws {
        let routes = try RoutesLoader.load(Array(sales(#"""
            {"members": ["+15551111111", {"number": "sip:desk@example.com"}, {"number": "+15551111113", "enabled": false}],
             "notify": {"sms": ["members", "+15559999999", "+15551111111"], "email": ["team@example.com"], "webhook": "https://hooks.example/sb"}}
            """#).utf8), zones: testZones).get()
        let pool = try #require(routes.pools["sales"])
        let notify = try #require(pool.notify)
        #expect(notify.events == [.missed, .voicemail])
        #expect(notify.email == ["team@example.com"])
        #expect(notify.webhook == "https://hooks.example/sb")
        // Listed numbers first, then enabled members that can take a text, each once.
        #expect(notify.smsTargets(pool) == ["+15559999999", "+15551111111"])
        let only = try RoutesLoader.load(Array(sales(#"{"members": ["+15551111111"], "notify": {"on": ["voicemail"], "email": ["a@b.co"]}}"#).utf8), zones: testZones).get()
        #expect(only.pools["sales"]?.notify?.events == [.voicemail])
        #expect(try RoutesLoader.load(Array(sales(#"{"members": ["+15551111111"]}"#).utf8), zones: testZones).get().pools["sales"]?.notify == nil)
    }

    @Test func hasAtLeastFortyBadDocuments() {
        #expect(badRoutes.count >= 40)
    }

    @Test func specExampleValidates() throws {
        let routes = try loadRoutes(specExample)
        #expect(routes.summary == "routes.json ok: 2 numbers, 2 pools, 5 members, default voice=support sms=support")
        #expect(routes.summary(file: "/etc/switchboard/routes.json").hasPrefix("/etc/switchboard/routes.json ok: "))
    }

    @Test func reportsEveryProblemInDocumentOrder() {
        let document = """
        {
          "numbers": { "+1555": { "voice": "sales" } },
          "pools": {
            "sales": { "members": ["+15551111111", "12"], "strategy": "fastest", "ring_timeout": 1 },
            "support": { "members": [], "overflow": "nowhere" }
          }
        }
        """
        let found = problems(document)
        #expect(found.map(\.path) == [
            "numbers.+1555", "pools.sales.members[1]", "pools.sales.strategy", "pools.sales.ring_timeout",
            "pools.support.members", "pools.support.overflow",
        ])
        #expect(found.map { $0.line ?? 0 } == [2, 4, 4, 4, 5, 5])
    }

    @Test func syntaxErrorsPrintFileLineAndColumn() throws {
        let document = "{\n  \"pools\": {\n    \"a\": {\"members\": [\"+15551111111\"] \"x\": 1}\n  }\n}"
        guard case .failure(let error) = RoutesLoader.load(Array(document.utf8), file: "/etc/routes.json", zones: testZones) else {
            Issue.record("validated")
            return
        }
        #expect(error.problems.count == 1)
        #expect(error.description == "/etc/routes.json:3:39: expected ',' or '}', found '\"'")
    }

    @Test func problemsPrintPathMessageAndPosition() {
        let problem = RoutesProblem(path: "pools.sales.members[2]", line: 7, column: 9,
                                    message: "\"+1555\" is not an E.164 number or sip: URI")
        #expect(problem.description == "pools.sales.members[2]: \"+1555\" is not an E.164 number or sip: URI (line 7, column 9)")
        #expect(RoutesProblem(path: "", message: "the file is empty").formatted(file: "r.json") == "r.json: the file is empty")
        let error = RoutesError(problems: [problem, problem])
        #expect(error.description.split(separator: "\n").count == 2)
    }

    @Test func summaryCountsAndNamesTheDefault() throws {
        let routes = try loadRoutes(#"{"numbers": {"+15550000001": {"voice": "a"}}, "pools": {"a": {"members": ["+15551111111"]}}}"#)
        #expect(routes.summary == "routes.json ok: 1 number, 1 pool, 1 member, no default")
        let smsOnly = try loadRoutes(#"{"default": {"sms": "a"}, "pools": {"a": {"members": ["+15551111111", "+15551111112"]}}}"#)
        #expect(smsOnly.summary == "routes.json ok: 0 numbers, 1 pool, 2 members, default sms=a")
    }
}

@Suite("routes.json validation, mutated documents")
struct RoutesMutationTests {
    /// Thousands of randomly damaged copies of valid documents: the loader never crashes, and every
    /// refusal carries at least one problem with a message and, for syntax errors, a position.
    @Test func damagedDocumentsAreReportedNotCrashed() {
        var random = SeededGenerator(seed: 37)
        let sources = [Array(specExample.utf8), Array(hours(#"{"timezone": "UTC", "open": {"mon": ["09:00-12:00"]}}"#).utf8)]
        let alphabet = Array(#"{}[]:,"\ 0123456789+-.eEtrufalsn_abcxyz:@é"#.utf8)
        for _ in 0..<3000 {
            var bytes = sources.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = alphabet.randomElement(using: &random)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &random)!, at: index)
                }
            }
            if case .failure(let error) = RoutesLoader.load(bytes, zones: testZones) {
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { !$0.message.isEmpty })
                #expect(error.problems.allSatisfy { !$0.path.isEmpty || $0.line != nil || $0.message == "the file is empty" })
            }
        }
    }
}
