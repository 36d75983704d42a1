/// The NAT table of one family: its addresses, its free ports, and both directions of
/// lookup. `forward` (the app's connection → port) only ever points at a flow in `flows`;
/// `flows` (port → flow) is the owner, and a port is in `flows` or in `ports`, never both.
struct FamilyTable {
    let addresses: FamilyAddresses
    var ports: PortAllocator
    var forward: [ForwardKey: UInt16] = [:]
    var flows: [UInt16: NATFlow] = [:]

    init(_ addresses: FamilyAddresses, ports: ClosedRange<UInt16>) {
        self.addresses = addresses
        self.ports = PortAllocator(ports)
    }

    var family: IPFamily { addresses.family }

    /// `peer:port → tun:listener`, the way the listener sees the flow.
    func translatedEndpoints(natPort: UInt16) -> (source: NATEndpoint, destination: NATEndpoint) {
        (NATEndpoint(address: addresses.peer, port: natPort),
         NATEndpoint(address: addresses.tun, port: addresses.listenerPort))
    }

    func request(_ port: UInt16, _ flow: NATFlow) -> FlowRequest {
        FlowRequest(handle: FlowHandle(family: family, natPort: port),
                    source: flow.key.source, destination: flow.key.destination)
    }

    /// Creates a pending flow on a fresh port, or nil when no port is free.
    mutating func open(_ key: ForwardKey, held: HeldSYN, deadline: ContinuousClock.Instant) -> UInt16? {
        guard let port = ports.take() else { return nil }
        flows[port] = NATFlow(key: key, state: .pending, deadline: deadline, held: held)
        forward[key] = port
        return port
    }

    /// Removes a flow and returns its port to the back of the free list. The forward key is
    /// dropped only if it still names this port: a new SYN may have moved it to a new flow
    /// while this one was closing.
    @discardableResult
    mutating func free(_ port: UInt16) -> NATFlow? {
        guard let flow = flows.removeValue(forKey: port) else { return nil }
        if forward[flow.key] == port {
            forward.removeValue(forKey: flow.key)
        }
        ports.release(port)
        return flow
    }
}
