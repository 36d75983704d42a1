/// Names one flow of the table. The NAT port is also the remote port of the socket the
/// listener accepts (`peer:natPort`), which is how the caller ties that socket to its flow.
public struct FlowHandle: Hashable, Sendable {
    public var family: IPFamily
    public var natPort: UInt16

    public init(family: IPFamily, natPort: UInt16) {
        self.family = family
        self.natPort = natPort
    }
}

/// What the app asked for: the connection `source → destination` before any rewrite. The
/// caller opens its stream to `destination` (which picks the server and the remote port).
public struct FlowRequest: Hashable, Sendable {
    public var handle: FlowHandle
    /// Normally the tun address and the port the app's kernel chose.
    public var source: NATEndpoint
    /// The server address and port the app connected to.
    public var destination: NATEndpoint

    public var family: IPFamily { handle.family }
    public var sourceAddressBytes: [UInt8] { source.address.bytes(family) }
    public var destinationAddressBytes: [UInt8] { destination.address.bytes(family) }
}
