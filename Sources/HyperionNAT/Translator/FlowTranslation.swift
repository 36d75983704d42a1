/// A connection's two ends, as one TCP segment names them.
public struct NATFourTuple: Hashable, Sendable {
    public var source: NATEndpoint
    public var destination: NATEndpoint

    public init(source: NATEndpoint, destination: NATEndpoint) {
        self.source = source
        self.destination = destination
    }
}

/// One direction of an established flow's rewrite: a segment from `original.source` to
/// `original.destination` leaves as one from `rewritten.source` to `rewritten.destination`,
/// everything else unchanged but the checksums. What a copy of the NAT outside this module
/// (TUN mode's kernel fast path) must do to agree with `process`.
public struct FlowTranslation: Hashable, Sendable {
    public var family: IPFamily
    public var original: NATFourTuple
    public var rewritten: NATFourTuple

    public init(family: IPFamily, original: NATFourTuple, rewritten: NATFourTuple) {
        self.family = family
        self.original = original
        self.rewritten = rewritten
    }
}

extension FamilyTable {
    /// The app's direction, then the listener's: the rewrites `forward` and `reply` make.
    /// Only an established flow has them to give; before, its SYN and handshake are the
    /// table's alone.
    func translations(_ port: UInt16) -> [FlowTranslation]? {
        guard let flow = flows[port], flow.state == .established else { return nil }
        let app = flow.key
        let translated = translatedEndpoints(natPort: port)
        let listener = NATFourTuple(source: translated.source, destination: translated.destination)
        func reversed(_ tuple: NATFourTuple) -> NATFourTuple { NATFourTuple(source: tuple.destination, destination: tuple.source) }
        return [
            FlowTranslation(family: family, original: app, rewritten: listener),
            FlowTranslation(family: family, original: reversed(listener), rewritten: reversed(app)),
        ]
    }
}
