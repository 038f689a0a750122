import Foundation
import HTTPServer
import Logging
import TestSupport
import Testing
@testable import SignalWire

/// A loopback server that echoes what it received, as JSON.
final class EchoServer: @unchecked Sendable {
    let server: HTTPServer

    init() throws {
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), logger: Logger(label: "echo")) { request in
            if request.path == "/big" {
                return HTTPResponse(status: 200, contentType: "application/octet-stream", body: [UInt8](repeating: 7, count: 100_000))
            }
            let echo: [String: Any] = [
                "method": request.method, "target": request.target, "body": request.body.map(Int.init),
                "authorization": request.headers["Authorization"] ?? "", "x-test": request.headers["X-Test"] ?? "",
                "expect": request.headers["Expect"] ?? "",
            ]
            var response = FakeSignalWire.json(201, echo)
            response.headers.add("X-Reply", "a: b")
            return response
        }
        try server.start()
    }

    var url: String { "http://127.0.0.1:\(server.port)" }

    func echo(_ response: CurlResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }
}

@Suite struct CurlClientTests {
    @Test func getWithHeadersAndBasicAuth() throws {
        let echo = try EchoServer()
        defer { echo.server.shutdown(timeout: 2) }
        let client = CurlClient()
        let response = try client.perform(CurlRequest(
            url: echo.url + "/a/b?x=%2B1&y=2", headers: [("X-Test", "hello")],
            basicAuth: .init(user: "proj", password: "tok:en")
        ))
        #expect(response.status == 201)
        #expect(response.header("x-reply") == "a: b")
        #expect(response.header("Content-Type") == "application/json")
        let body = try echo.echo(response)
        #expect(body["method"] as? String == "GET")
        #expect(body["target"] as? String == "/a/b?x=%2B1&y=2")
        #expect(body["x-test"] as? String == "hello")
        #expect(body["authorization"] as? String == "Basic " + Data("proj:tok:en".utf8).base64EncodedString())
    }

    @Test func putAndPostSendTheBodyExactly() throws {
        let echo = try EchoServer()
        defer { echo.server.shutdown(timeout: 2) }
        let client = CurlClient()
        let bytes: [UInt8] = [123, 0, 34, 255, 10]
        for method in ["PUT", "POST", "PATCH"] {
            let response = try client.perform(CurlRequest(method: method, url: echo.url + "/x", body: bytes))
            let body = try echo.echo(response)
            #expect(body["method"] as? String == method)
            #expect((body["body"] as? [Int]) == bytes.map(Int.init))
            #expect(body["expect"] as? String == "")
        }
        let empty = try echo.echo(client.perform(CurlRequest(method: "POST", url: echo.url + "/x")))
        #expect((empty["body"] as? [Int]) == [])
        let delete = try echo.echo(client.perform(CurlRequest(method: "DELETE", url: echo.url + "/x")))
        #expect(delete["method"] as? String == "DELETE")
        // The handle is reused after a body-carrying request: a GET is a GET again.
        let get = try echo.echo(client.perform(CurlRequest(url: echo.url + "/y")))
        #expect(get["method"] as? String == "GET")
        #expect((get["body"] as? [Int]) == [])
    }

    @Test func responseSizeIsCapped() throws {
        let echo = try EchoServer()
        defer { echo.server.shutdown(timeout: 2) }
        let client = CurlClient()
        #expect(try client.perform(CurlRequest(url: echo.url + "/big")).body.count == 100_000)
        do {
            _ = try client.perform(CurlRequest(url: echo.url + "/big", maxResponseBytes: 10_000))
            Issue.record("expected the cap to fail the request")
        } catch let error as CurlError {
            #expect(error.code == 23)
            #expect(error.description == "curl error 23: response larger than 10000 bytes")
        }
    }

    @Test func onlyHTTPAndHTTPSAreAllowed() {
        let client = CurlClient()
        #expect(throws: CurlError.self) { try client.perform(CurlRequest(url: "file:///etc/passwd")) }
        #expect(throws: CurlError.self) { try client.perform(CurlRequest(url: "ftp://127.0.0.1/x", timeout: 2)) }
    }

    @Test func tlsToAPlainServerFails() throws {
        let echo = try EchoServer()
        defer { echo.server.shutdown(timeout: 2) }
        let https = echo.url.replacingOccurrences(of: "http://", with: "https://")
        do {
            _ = try CurlClient().perform(CurlRequest(url: https + "/x", connectTimeout: 2, timeout: 3))
            Issue.record("expected a TLS failure")
        } catch let error as CurlError {
            #expect(error.code == 35)
            #expect(!error.message.isEmpty)
        }
    }
}
