/// Counters of a responder's datagrams, for `status`. Every datagram counts once in
/// `queries` and once in exactly one of the others.
public struct DNSStatistics: Hashable, Sendable, Codable {
    public var queries: UInt64 = 0
    public var answered: UInt64 = 0
    public var noData: UInt64 = 0
    public var nxdomain: UInt64 = 0
    public var refused: UInt64 = 0
    /// Answered with FORMERR.
    public var malformed: UInt64 = 0
    /// Answered with NOTIMP or BADVERS.
    public var unsupported: UInt64 = 0
    /// Not answered: shorter than a header, or a response rather than a query.
    public var dropped: UInt64 = 0
    /// Answers made but not sent because the socket's send buffer was full. Counted
    /// besides their outcome, not instead of it.
    public var unsent: UInt64 = 0

    public init() {}

    /// Counts one datagram and what the responder made of it (nil: dropped).
    public mutating func record(_ outcome: DNSOutcome?) {
        queries &+= 1
        switch outcome {
        case .answered: answered &+= 1
        case .noData: noData &+= 1
        case .nameError: nxdomain &+= 1
        case .refused: refused &+= 1
        case .formatError: malformed &+= 1
        case .unsupported: unsupported &+= 1
        case nil: dropped &+= 1
        }
    }
}
