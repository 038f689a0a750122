import FoundationEssentials

/// One incoming call or text to route.
package struct RouteRequest: Sendable, Equatable {
    package var channel: Channel
    /// SignalWire's call id (`call.call_id` / `CallSid`) or `MessageSid`.
    package var id: String
    /// The caller or texter.
    package var from: String
    /// The dialed number (one of yours).
    package var to: String
    package var now: Date
    /// The text of a message ("" for calls, and for an MMS without text).
    package var body: String
    /// Media of an MMS (`MediaUrl0...`), in order.
    package var mediaURLs: [String]
    /// Who is paused now (from the store); members not named are available.
    package var availability: Availability

    package init(
        channel: Channel,
        id: String,
        from: String,
        to: String,
        now: Date,
        body: String = "",
        mediaURLs: [String] = [],
        availability: Availability = Availability()
    ) {
        self.channel = channel
        self.id = id
        self.from = from
        self.to = to
        self.now = now
        self.body = body
        self.mediaURLs = mediaURLs
        self.availability = availability
    }
}
