#if os(Linux)
import HyperionNAT
import NIOCore

/// The virtual peers (TUN-NOTES): the addresses the NAT gives the connections it hands to
/// the listener. The accepted socket's remote address, `peer:natPort`, names its flow.
struct TunPeers: Sendable {
    let v4: [UInt8]?
    let v6: [UInt8]?

    func handle(for remote: SocketAddress) -> FlowHandle? {
        guard let port = remote.port, let bytes = Self.bytes(of: remote) else { return nil }
        switch bytes.count {
        case 4 where bytes == v4: return FlowHandle(family: .v4, natPort: UInt16(port))
        case 16 where bytes == v6: return FlowHandle(family: .v6, natPort: UInt16(port))
        default: return nil
        }
    }

    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case let .v4(v4): withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case let .v6(v6): withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
        default: nil
        }
    }

    /// An address for log lines.
    static func text(_ bytes: [UInt8]) -> String {
        (try? SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: 0))?.ipAddress ?? "?"
    }
}
#endif
