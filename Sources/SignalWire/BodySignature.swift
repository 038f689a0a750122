/// The signature Switchboard puts on the webhooks it sends (notifications): `sha256=` and the
/// lowercase hex of HMAC-SHA256(secret, body), as GitHub's `X-Hub-Signature-256` does, so receivers
/// can check it with any HMAC library.
package enum BodySignature {
    package static let header = "X-Switchboard-Signature"

    package static func sign(_ body: [UInt8], secret: String) -> String {
        "sha256=" + WebhookSignature.hex(KeyedHMAC(.sha256, key: Array(secret.utf8)).mac("", body))
    }
}
