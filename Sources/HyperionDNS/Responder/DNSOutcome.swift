/// What the responder did with a datagram, for counters.
public enum DNSOutcome: Hashable, Sendable, CaseIterable {
    /// NOERROR with at least one record in the answer.
    case answered
    /// NOERROR without an answer: the name exists, but not with the type asked for.
    case noData
    /// NXDOMAIN: a name in the zone that does not exist.
    case nameError
    /// REFUSED: a name outside the zone, or a class other than IN.
    case refused
    /// FORMERR: the header was readable, the rest was not a valid query.
    case formatError
    /// NOTIMP (an opcode other than QUERY) or BADVERS (an EDNS version other than 0).
    case unsupported
}

/// The answer to a datagram and what kind of answer it is.
public struct DNSReply: Hashable, Sendable {
    public var bytes: [UInt8]
    public var outcome: DNSOutcome
}
