import HyperionDNS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The client daemon's DNS server: one UDP socket that hands each datagram to a
/// `DNSResponder` and sends back its answer.
///
/// One datagram in, at most one out, to its sender: nothing is kept per client and
/// nothing waits. An answer the socket cannot take at once (its send buffer past the high
/// watermark) is dropped and counted, so a flood of queries queues at most that much. The
/// names change while it runs (`update`): the responder is swapped whole under a lock, and
/// each datagram is answered from the one current when it arrived.
public final class DNSServer: Sendable {
    /// Reads larger than any query this responder answers (a 255-byte name, an OPT with a
    /// cookie); a longer datagram is cut here and answered as what is left of it (FORMERR).
    static let receiveBufferSize = 2048
    /// How much unsent answer data may wait in the channel before answers are dropped.
    static let sendWaterMark = ChannelOptions.Types.WriteBufferWaterMark(low: 16 * 1024, high: 64 * 1024)

    private let channel: Channel
    private let state: DNSServerState

    /// The address bound (its port differs from the one asked for when that was 0).
    public let localAddress: SocketAddress

    private init(channel: Channel, state: DNSServerState, localAddress: SocketAddress) {
        self.channel = channel
        self.state = state
        self.localAddress = localAddress
    }

    /// Binds `host:port` (an IP literal; port 0 picks a free one) and answers with
    /// `responder` until `close`. Fails with `.bindFailed` when the address cannot be bound.
    public static func start(
        host: String, port: Int, responder: DNSResponder, group: EventLoopGroup, logger: Logger
    ) -> EventLoopFuture<DNSServer> {
        let state = DNSServerState(responder: responder)
        let endpoint = LocalEndpoint(host: host, port: port, purpose: "DNS")
        return DatagramBootstrap(group: group)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: receiveBufferSize))
            .channelOption(.writeBufferWaterMark, value: sendWaterMark)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(state: state, logger: logger))
                }
            }
            .bind(host: host, port: port)
            .flatMapErrorThrowing { error in
                throw TunnelError(.bindFailed, "cannot listen for DNS on \(endpoint): \(error)")
            }
            .flatMapThrowing { channel in
                guard let address = channel.localAddress else {
                    channel.close(promise: nil)
                    throw TunnelError(.bindFailed, "the DNS socket on \(endpoint) has no local address")
                }
                logger.info("DNS server answering for .\(responder.zone) on \(address)")
                return DNSServer(channel: channel, state: state, localAddress: address)
            }
    }

    /// Answers from now on with `records` (server name to its addresses). The new table
    /// is built outside the lock, so the event loop never waits for it; of two concurrent
    /// updates the last to finish wins.
    public func update(_ records: [String: DNSRecords]) {
        let next = state.responder.withLockedValue { $0 }.replacingRecords(records)
        state.responder.withLockedValue { $0 = next }
    }

    /// The counters since the start.
    public var statistics: DNSStatistics {
        state.statistics.withLockedValue { $0 }
    }

    /// Closes the socket. Datagrams not read yet are not answered.
    public func close() -> EventLoopFuture<Void> {
        channel.close().flatMapError { error in
            // Closing twice is not an error for the caller.
            if let error = error as? ChannelError, error == .alreadyClosed { return self.channel.eventLoop.makeSucceededVoidFuture() }
            return self.channel.eventLoop.makeFailedFuture(error)
        }
    }
}

/// What the server and its channel handler share: the current responder and the counters.
final class DNSServerState: Sendable {
    let responder: NIOLockedValueBox<DNSResponder>
    let statistics = NIOLockedValueBox(DNSStatistics())

    init(responder: DNSResponder) {
        self.responder = NIOLockedValueBox(responder)
    }
}
