import HyperionWire
import NIOCore
import NIOPosix

/// Sends the 44-byte knock of PROTOCOL.md §7 as one UDP datagram from a fresh socket.
///
/// The knock is sealed for the endpoint's server key with a key derived from the
/// endpoint's PSK, so a captured knock opens nothing on any other server of the fleet.
public struct UDPKnocker: TunnelKnocker {
    /// SO_MARK for the knock socket, like the tunnel sockets (TUN mode routing).
    public var mark: UInt32?
    public var clock: UnixClock

    public init(mark: UInt32? = nil, clock: UnixClock = .system) {
        self.mark = mark
        self.clock = clock
    }

    public func knock(_ endpoint: TunnelEndpoint, at address: SocketAddress, on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        let packet: [UInt8]
        do {
            packet = try KnockPacket.seal(
                key: KnockKey(presharedKey: endpoint.presharedKey), serverPublicKey: endpoint.serverKey,
                unixTime: clock.now(), tunnelPort: UInt16(endpoint.port)
            )
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let target = {
            var target = address
            target.port = endpoint.knockPort ?? endpoint.port
            return target
        }()
        var bootstrap = DatagramBootstrap(group: eventLoop)
        #if os(Linux)
        if let mark {
            bootstrap = bootstrap.channelOption(TunnelSocketOptions.mark, value: SocketOptionValue(Int32(bitPattern: mark)))
        }
        #endif
        let anyAddress = target.protocol == .inet6 ? "::" : "0.0.0.0"
        return bootstrap.bind(host: anyAddress, port: 0).flatMap { channel in
            let datagram = AddressedEnvelope(remoteAddress: target, data: channel.allocator.buffer(bytes: packet))
            return channel.writeAndFlush(datagram).always { _ in channel.close(promise: nil) }
        }.flatMapErrorThrowing { error in
            throw TunnelError(.connectFailed, "cannot send the knock to \(endpoint.host):\(target.port ?? 0): \(error)")
        }
    }
}
