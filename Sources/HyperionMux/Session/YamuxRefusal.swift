/// Why the session refused (reset at once) a stream the peer opened.
///
/// A value rather than a sentence, so that a log can count refusals by cause; the limits
/// are carried because they are what the reader of the log needs to know.
enum YamuxRefusal: Hashable, Sendable, CustomStringConvertible {
    /// This end takes no streams at all (the client).
    case notAccepting
    /// Go away was sent or received: no new streams either way.
    case goingAway
    /// `maximumStreams` streams are open.
    case streamLimit(Int)
    /// `acceptBacklog` streams still wait for their initializer.
    case acceptBacklog(Int)

    /// Reads after "refused stream 7" as well as after a count: "3 at the limit of …".
    var description: String {
        switch self {
        case .notAccepting: "as this end accepts no streams"
        case .goingAway: "as the session is going away"
        case .streamLimit(let limit): "at the limit of \(limit) open streams per connection"
        case .acceptBacklog(let limit): "at the accept backlog of \(limit) streams not yet set up"
        }
    }
}
