import FoundationEssentials
import Platform

/// A number that can be bought, as `GET /phone_numbers/search` lists it.
package struct AvailableNumber: Sendable, Equatable, Codable {
    package var number: String
    package var region: String?
    package var rateCenter: String?
    package var numberType: String?
    /// `voice`, `sms`, `mms`, `fax`: the API gives an object of booleans (or, for owned numbers, an array).
    package var capabilities: [String]

    package init(number: String, region: String? = nil, rateCenter: String? = nil, numberType: String? = nil, capabilities: [String] = []) {
        self.number = number
        self.region = region
        self.rateCenter = rateCenter
        self.numberType = numberType
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case number, e164, region, capabilities
        case rateCenter = "rate_center", numberType = "number_type"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let number = try c.decodeIfPresent(String.self, forKey: .e164) ?? c.decodeIfPresent(String.self, forKey: .number) else {
            throw DecodingError.keyNotFound(CodingKeys.e164, .init(codingPath: c.codingPath, debugDescription: "no e164 or number"))
        }
        self.number = number
        region = try c.decodeIfPresent(String.self, forKey: .region)
        rateCenter = try c.decodeIfPresent(String.self, forKey: .rateCenter)
        numberType = try c.decodeIfPresent(String.self, forKey: .numberType)
        if let flags = try? c.decodeIfPresent([String: Bool].self, forKey: .capabilities) {
            capabilities = ["voice", "sms", "mms", "fax"].filter { flags[$0] == true }
        } else {
            capabilities = try c.decodeIfPresent([String].self, forKey: .capabilities) ?? []
        }
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(number, forKey: .number)
        try c.encodeIfPresent(region, forKey: .region)
        try c.encodeIfPresent(rateCenter, forKey: .rateCenter)
        try c.encodeIfPresent(numberType, forKey: .numberType)
        try c.encode(capabilities, forKey: .capabilities)
    }
}

/// The filters of `GET /phone_numbers/search` (the Relay REST API's number search).
package struct NumberSearch: Sendable, Equatable {
    package var areaCode: String?
    /// `local` or `toll-free`.
    package var numberType = "local"
    /// A state or province, e.g. `WA`.
    package var region: String?
    package var city: String?
    package var contains: String?
    package var startsWith: String?
    package var endsWith: String?
    package var maxResults = 10

    package init() {}

    /// The query, in a fixed order; empty filters are left out.
    package var queryItems: [(String, String)] {
        [("areacode", areaCode), ("number_type", numberType), ("region", region), ("city", city),
         ("contains", contains), ("starts_with", startsWith), ("ends_with", endsWith), ("max_results", String(maxResults))]
            .compactMap { name, value in value.flatMap { $0.isEmpty ? nil : (name, $0) } }
    }
}

/// An address in the project, for emergency (E911) calls.
package struct EmergencyAddress: Sendable, Equatable, Codable {
    package var id: String
    package var label: String?
    package var firstName: String?
    package var lastName: String?
    package var streetNumber: String?
    package var streetName: String?
    package var city: String?
    package var state: String?
    package var postalCode: String?
    package var country: String?

    enum CodingKeys: String, CodingKey {
        case id, label, city, state, country
        case firstName = "first_name", lastName = "last_name", streetNumber = "street_number", streetName = "street_name"
        case postalCode = "postal_code"
    }

    /// One line: "label: 1200 Harbor Way, Portland OR 97209, US".
    package var summary: String {
        let street = [streetNumber, streetName].compactMap { $0 }.joined(separator: " ")
        let place = [city, [state, postalCode].compactMap { $0 }.joined(separator: " ")].compactMap { $0 }.joined(separator: ", ")
        return "\(label.map { $0 + ": " } ?? "")\([street, place, country ?? ""].filter { !$0.isEmpty }.joined(separator: ", "))"
    }
}

/// What `POST /addresses` needs: every field the API requires, and emergency use on.
package struct NewEmergencyAddress: Sendable, Equatable, Encodable {
    package var label: String
    package var firstName: String
    package var lastName: String
    package var streetNumber: String
    package var streetName: String
    package var city: String
    package var state: String
    package var postalCode: String
    package var country: String
    package var emergencyEnabled = true

    package init(label: String, firstName: String, lastName: String, streetNumber: String, streetName: String,
                 city: String, state: String, postalCode: String, country: String) {
        (self.label, self.firstName, self.lastName) = (label, firstName, lastName)
        (self.streetNumber, self.streetName, self.city, self.state) = (streetNumber, streetName, city, state)
        (self.postalCode, self.country) = (postalCode, country)
    }

    enum CodingKeys: String, CodingKey {
        case label, city, state, country
        case firstName = "first_name", lastName = "last_name", streetNumber = "street_number", streetName = "street_name"
        case postalCode = "postal_code", emergencyEnabled = "emergency_enabled"
    }
}

/// One call or message from the Compatibility API's own records (`Calls.json`, `Messages.json`).
package struct UsageRecord: Sendable, Equatable, Decodable {
    package var sid: String
    package var from: String?
    package var to: String?
    package var status: String?
    package var direction: String?
}

extension SignalWireClient {
    /// Numbers for sale that match `search`.
    package func searchNumbers(_ search: NumberSearch) throws -> [AvailableNumber] {
        struct Page: Decodable { var data: [AvailableNumber] }
        let url = credentials.baseURL + "/phone_numbers/search?" + FormEncoding.encode(search.queryItems)
        return try decode(Page.self, from: send("GET", url), what: "number search").data
    }

    /// Buys `number` (E.164) for the project. One attempt only: a retry after a lost answer could buy
    /// it twice, so a failure is reported for the caller to check the project's numbers.
    package func buyNumber(_ number: String) throws -> PhoneNumber {
        let body = try OrderedJSONEncoder().encode(["number": number])
        return try decode(PhoneNumber.self, from: send("POST", credentials.baseURL + "/phone_numbers", body: body, retrying: false),
                          what: "purchased phone number")
    }

    /// The number whose E.164 is `number`, among the project's (nil when it owns none such).
    package func ownedNumber(_ number: String) throws -> PhoneNumber? {
        struct Page: Decodable { var data: [PhoneNumber] }
        let url = credentials.baseURL + "/phone_numbers?" + FormEncoding.encode([("filter_number", number), ("page_size", "10")])
        return try decode(Page.self, from: send("GET", url), what: "phone number list").data.first { $0.number == number }
    }

    /// Sets the number's friendly name (`name`).
    package func renameNumber(id: String, to name: String) throws -> PhoneNumber {
        let body = try OrderedJSONEncoder().encode(["name": name])
        return try decode(PhoneNumber.self, from: send("PUT", numberURL(id), body: body), what: "renamed phone number")
    }

    /// Releases the number: it leaves the project for good.
    package func releaseNumber(id: String) throws {
        _ = try send("DELETE", numberURL(id), retrying: false)
    }

    /// The project's addresses (first 100).
    package func emergencyAddresses() throws -> [EmergencyAddress] {
        struct Page: Decodable { var data: [EmergencyAddress] }
        return try decode(Page.self, from: send("GET", credentials.baseURL + "/addresses?page_size=100"), what: "address list").data
    }

    package func createEmergencyAddress(_ address: NewEmergencyAddress) throws -> EmergencyAddress {
        let body = try JSONEncoder().encode(address)
        return try decode(EmergencyAddress.self, from: send("POST", credentials.baseURL + "/addresses", body: Array(body), retrying: false),
                          what: "created address")
    }

    /// Attaches address `addressID` to the number for emergency calls.
    package func attachEmergencyAddress(numberID: String, addressID: String) throws {
        let body = try OrderedJSONEncoder().encode(["e911_address_id": addressID])
        _ = try send("POST", numberURL(numberID) + "/e911_address", body: body)
    }

    /// The project's calls since `since` (from that day, UTC), from SignalWire's own records.
    package func callRecords(since: Date) throws -> [UsageRecord] {
        try compatibilityList("Calls.json", key: "calls", [("StartTime>", Self.day(since))])
    }

    /// The project's messages since `since` (from that day, UTC), from SignalWire's own records.
    package func messageRecords(since: Date) throws -> [UsageRecord] {
        try compatibilityList("Messages.json", key: "messages", [("DateSent>", Self.day(since))])
    }

    /// Every page of a Compatibility API list (`next_page_uri`), up to 20 pages of 1,000.
    private func compatibilityList(_ resource: String, key: String, _ filters: [(String, String)]) throws -> [UsageRecord] {
        struct Page: Decodable {
            var items: [UsageRecord]
            var next: String?
            struct Key: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
            init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: Key.self)
                let listKey = c.allKeys.first { $0.stringValue == "calls" || $0.stringValue == "messages" } ?? Key(stringValue: "calls")
                items = try c.decodeIfPresent([UsageRecord].self, forKey: listKey) ?? []
                next = try c.decodeIfPresent(String.self, forKey: Key(stringValue: "next_page_uri"))
            }
        }
        var url = credentials.spaceURL + "/api/laml/2010-04-01/Accounts/" + Self.percentEncodedSegment(credentials.projectID)
            + "/" + resource + "?" + FormEncoding.encode(filters + [("PageSize", "1000")])
        var records: [UsageRecord] = []
        for _ in 0..<20 {
            let page = try decode(Page.self, from: send("GET", url), what: "\(key) list")
            records += page.items
            guard let next = page.next, !next.isEmpty else { return records }
            url = try resolve(next: next)
        }
        return records
    }

    /// `YYYY-MM-DD` in UTC, as the Compatibility API's date filters take it.
    static func day(_ date: Date) -> String {
        String(date.formatted(.iso8601).prefix(10))
    }
}
