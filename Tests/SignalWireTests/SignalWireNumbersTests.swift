import Foundation
import TestSupport
import Testing
@testable import SignalWire

/// The number-management calls' shapes: search results, filters, and a purchase never sent twice.
@Suite struct SignalWireNumbersTests {
    @Test func searchResultsReadCapabilitiesAsAnObjectOrAnArray() throws {
        let data = Data(#"""
        {"data": [
          {"e164": "+12065550101", "country_code": "US", "number_type": "local", "rate_center": "SEATTLE", "region": "WA",
           "capabilities": {"voice": true, "sms": true, "mms": false, "fax": false}},
          {"number": "+18885550100", "number_type": "toll-free", "capabilities": ["voice", "sms"]},
          {"e164": "+12065550177"}
        ]}
        """#.utf8)
        struct Page: Decodable { var data: [AvailableNumber] }
        let numbers = try JSONDecoder().decode(Page.self, from: data).data
        #expect(numbers == [
            AvailableNumber(number: "+12065550101", region: "WA", rateCenter: "SEATTLE", numberType: "local", capabilities: ["voice", "sms"]),
            AvailableNumber(number: "+18885550100", numberType: "toll-free", capabilities: ["voice", "sms"]),
            AvailableNumber(number: "+12065550177"),
        ])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AvailableNumber.self, from: Data(#"{"region": "WA"}"#.utf8)) }
    }

    @Test func searchSendsOnlyTheFiltersGiven() {
        var search = NumberSearch()
        #expect(search.queryItems.map { "\($0.0)=\($0.1)" } == ["number_type=local", "max_results=10"])
        search.areaCode = "206"
        search.region = "WA"
        search.contains = ""
        search.endsWith = "77"
        search.numberType = "toll-free"
        search.maxResults = 3
        #expect(search.queryItems.map { "\($0.0)=\($0.1)" } == ["areacode=206", "number_type=toll-free", "region=WA", "ends_with=77", "max_results=3"])
    }

    @Test func aPurchaseIsNotRetriedWhereARetryCouldBuyTwice() throws {
        let fake = try FakeSignalWire(numbers: [], available: [FakeSignalWire.availableNumber("+12065550101")])
        defer { fake.shutdown() }
        fake.enqueue(.respond(.text(502, "bad gateway")))
        let probe = ClientProbe()
        let client = fake.client(probe: probe)
        #expect(throws: SignalWireError.unavailable(status: 502, details: ["bad gateway"], attempts: 1)) {
            try client.buyNumber("+12065550101")
        }
        #expect(probe.sleeps.isEmpty)
        #expect(fake.requests.filter { $0.method == "POST" }.count == 1)
        // A search, which changes nothing, is retried as before.
        fake.enqueue(.respond(.text(502, "bad gateway")))
        #expect(try client.searchNumbers(NumberSearch()).map(\.number) == ["+12065550101"])
        #expect(probe.sleeps.count == 1)
    }

    @Test func datesForTheCompatibilityListsAreUTCDays() {
        #expect(SignalWireClient.day(Date(timeIntervalSince1970: 1_765_065_599)) == "2025-12-06")
        #expect(SignalWireClient.day(Date(timeIntervalSince1970: 1_765_065_600)) == "2025-12-07")
    }
}
