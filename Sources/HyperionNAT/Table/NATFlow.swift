/// The forward key: a connection as the app's kernel sent it. Keying on all four values
/// (not the source alone) keeps two connections from one source port to different
/// servers apart. The family is the table's.
typealias ForwardKey = NATFourTuple

extension NATFourTuple {
    init(_ segment: TCPSegment) {
        self.init(source: NATEndpoint(address: segment.source, port: segment.sourcePort),
                  destination: NATEndpoint(address: segment.destination, port: segment.destinationPort))
    }
}

/// A SYN as the app sent it, before any rewrite: `admit` injects it rewritten, `refuse`
/// answers its sequence number, and `unreachable` quotes it unchanged.
struct HeldSYN {
    var bytes: [UInt8]
    var checksum: ChecksumState
    var sequence: UInt32
    var sequenceLength: UInt32
}

/// One entry of the reverse table (`natPort → flow`).
struct NATFlow {
    var key: ForwardKey
    var state: NATFlowState
    /// When a pending, admitted or closing flow ends on its own; unused when established.
    var deadline: ContinuousClock.Instant
    /// Set only while pending.
    var held: HeldSYN?
}
