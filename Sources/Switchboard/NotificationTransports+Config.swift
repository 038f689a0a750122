import FoundationEssentials
import Logging
import SignalWire

extension NotificationTransports {
    /// The transports `config` allows: SMS through SignalWire's messaging API with the project's
    /// credentials, email through `config.smtp`, webhooks with libcurl. Each makes one attempt; the
    /// notifier does the retrying, so a down API never holds its queue for long.
    static func make(_ config: ServeConfig, metrics: Metrics, logger: Logger) -> NotificationTransports {
        var transports = NotificationTransports()
        if let credentials = AutoConfigurator.credentials(config) {
            let client = SignalWireClient(credentials: credentials, logger: logger, retryPolicy: .never, requestTimeout: 15,
                                          onAPICall: { method, status in metrics.signalWireCall(method: method, status: status) })
            transports.sms = { from, to, body throws(DeliveryError) in
                do {
                    _ = try client.sendMessage(from: from, to: to, body: body)
                } catch let error as SignalWireError {
                    switch error {
                    case .unauthorized, .rejected: throw .permanent(error.description)
                    default: throw .transient(error.description)
                    }
                } catch {
                    throw .transient("\(error)")
                }
            }
        } else {
            transports.missing[.sms] = "SMS notifications need SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN and SIGNALWIRE_SPACE_URL"
        }
        if let smtp = config.smtp {
            let curl = CurlClient()
            transports.email = { to, subject, body throws(DeliveryError) in
                do {
                    try curl.sendMail(CurlMail(url: smtp.url, from: smtp.from, to: [to], subject: subject, body: body,
                                               username: smtp.user, password: smtp.password, requireTLS: smtp.requireTLS))
                } catch {
                    throw .transient("\(error)")
                }
            }
        } else {
            transports.missing[.email] = "email notifications need SWITCHBOARD_SMTP_URL and SWITCHBOARD_SMTP_FROM"
        }
        let curl = CurlClient()
        transports.webhook = { url, body, headers throws(DeliveryError) in
            let response: CurlResponse
            do {
                response = try curl.perform(CurlRequest(method: "POST", url: url, headers: headers.map { (name: $0.0, value: $0.1) },
                                                        body: body, connectTimeout: 10, timeout: 20, maxResponseBytes: 64 * 1024))
            } catch {
                throw .transient("\(error)")
            }
            switch response.status {
            case 200..<300: return
            case 408, 429, 500...: throw .transient("HTTP \(response.status)")
            default: throw .permanent("HTTP \(response.status) from the webhook")
            }
        }
        return transports
    }
}
