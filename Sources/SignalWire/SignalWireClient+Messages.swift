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
        let form = FormEncoding.encode([("From", from), ("To", to), ("Body", body)])
        let answer = try send("POST", url, body: Array(form.utf8), contentType: "application/x-www-form-urlencoded")
        do {
            return try JSONDecoder().decode(Sent.self, from: Data(answer)).sid
        } catch {
            throw SignalWireError.invalidResponse("sent message is not the JSON expected (\(error))")
        }
    }
}
