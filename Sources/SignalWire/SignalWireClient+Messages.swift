import FoundationEssentials
import Platform

extension SignalWireClient {
    /// Sends a text through SignalWire's Compatibility (LaML) messaging API:
    /// `POST {space}/api/laml/2010-04-01/Accounts/{ProjectID}/Messages.json`, form fields `From`, `To`,
    /// `Body`; a 201 answer carries the message's `sid`. Errors come back as
    /// `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.
    /// - Returns: the message's sid.
    @discardableResult
    package func sendMessage(from: String, to: String, body: String) throws -> String {
        struct Sent: Decodable { var sid: String }
        let url = credentials.spaceURL + "/api/laml/2010-04-01/Accounts/" + Self.percentEncodedSegment(credentials.projectID) + "/Messages.json"
        let form = [("From", from), ("To", to), ("Body", body)].map { Self.formEncoded($0.0) + "=" + Self.formEncoded($0.1) }.joined(separator: "&")
        let answer = try send("POST", url, body: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
        do {
            return try JSONDecoder().decode(Sent.self, from: Data(answer)).sid
        } catch {
            throw SignalWireError.invalidResponse("sent message is not the JSON expected (\(error))")
        }
    }

    /// `application/x-www-form-urlencoded`: unreserved characters as they are, space as `+`, the rest
    /// percent-encoded byte by byte.
    static func formEncoded(_ text: String) -> String {
        percentEncodedSegment(text).replacingAll("%20", with: "+")
    }
}
