import HyperionMux
import HyperionWire
import NIOCore

/// Sits after a tunnel connection's multiplexer and carries the `RekeyAnnouncement` pings
/// to and from the transport handler (PROTOCOL.md §10.3). Installed only on a side that
/// rekeys; without it such pings are answered like any other and nothing else happens,
/// which is what a v1 peer does.
final class RekeyPingListener: ChannelInboundHandler {
    typealias InboundIn = Never

    private let transport: NoiseTransportHandler
    private let multiplexer: YamuxMultiplexer

    private init(transport: NoiseTransportHandler, multiplexer: YamuxMultiplexer) {
        self.transport = transport
        self.multiplexer = multiplexer
    }

    /// Sets up rekeying on a session whose multiplexer was just added after `transport`:
    /// nothing when `policy` is nil (this side then behaves as v1). The server announces.
    static func install(
        on pipeline: ChannelPipeline.SynchronousOperations, role: RekeyNegotiation.Role, policy: RekeyPolicy?,
        transport: NoiseTransportHandler, multiplexer: YamuxMultiplexer
    ) throws {
        guard let policy else { return }
        try pipeline.addHandler(RekeyPingListener(transport: transport, multiplexer: multiplexer), position: .after(multiplexer))
        transport.negotiateRekeying(role: role, policy: policy)
        if role == .server { multiplexer.announce(opaque: RekeyAnnouncement.pingOpaque) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .some(.pingReceived(RekeyAnnouncement.pingOpaque)) = event as? YamuxSessionEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The client opts in only after the transport accepts the server's markers.
        if transport.rekeyPingReceived() { multiplexer.announce(opaque: RekeyAnnouncement.pingOpaque) }
    }
}

@available(*, unavailable)
extension RekeyPingListener: Sendable {}
