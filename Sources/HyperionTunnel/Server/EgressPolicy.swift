/// Which loopback ports the server may dial for a stream (PROTOCOL.md §6).
///
/// Deny-all by default: only listed ports are dialed, and only ever on 127.0.0.1, so
/// even a leaked PSK plus an allowlisted key reaches nothing but these services.
public struct EgressPolicy: Sendable, Hashable {
    public let allowedPorts: Set<UInt16>

    public init(allowedPorts: some Sequence<UInt16>) {
        self.allowedPorts = Set(allowedPorts.filter { $0 != 0 })
    }

    public static let denyAll = EgressPolicy(allowedPorts: [])

    public func allows(_ port: UInt16) -> Bool { allowedPorts.contains(port) }
}
