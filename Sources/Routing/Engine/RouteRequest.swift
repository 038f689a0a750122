import FoundationEssentials

/// One incoming call or text to route.
public struct RouteRequest: Sendable, Equatable {
    public var channel: Channel
    /// SignalWire's call id (`call.call_id` / `CallSid`) or `MessageSid`.
    public var id: String
    /// The caller or texter.
    public var from: String
    /// The dialed number (one of yours).
    public var to: String
    public var now: Date
    /// The text of a message ("" for calls, and for an MMS without text).
    public var body: String
    /// Media of an MMS (`MediaUrl0...`), in order.
    public var mediaURLs: [String]

    public init(
        channel: Channel,
        id: String,
        from: String,
        to: String,
        now: Date,
        body: String = "",
        mediaURLs: [String] = []
    ) {
        self.channel = channel
        self.id = id
        self.from = from
        self.to = to
        self.now = now
        self.body = body
        self.mediaURLs = mediaURLs
    }
}
