import HyperionDNS
import Logging
import NIOCore

/// Answers each datagram with the current responder: reads in `channelRead`, writes the
/// answer at once and flushes once per batch of reads.
final class DNSDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let state: DNSServerState
    private let logger: Logger
    private var wroteSinceFlush = false

    init(state: DNSServerState, logger: Logger) {
        self.state = state
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let datagram = unwrapInboundIn(data)
        let query = Array(datagram.data.readableBytesView)
        // A copy of the responder: the lock is held for the copy, not for the answer.
        let responder = state.responder.withLockedValue { $0 }
        let reply = responder.reply(to: query)
        let sendable = reply != nil && context.channel.isWritable
        state.statistics.withLockedValue { statistics in
            statistics.record(reply?.outcome)
            if reply != nil, !sendable { statistics.unsent &+= 1 }
        }
        logger.trace("DNS query", metadata: [
            "from": "\(datagram.remoteAddress)", "bytes": "\(query.count)",
            "outcome": "\(reply.map { "\($0.outcome)" } ?? "dropped")",
        ])
        guard let reply, sendable else { return }
        let answer = AddressedEnvelope(remoteAddress: datagram.remoteAddress, data: context.channel.allocator.buffer(bytes: reply.bytes))
        context.write(wrapOutboundOut(answer), promise: nil)
        wroteSinceFlush = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if wroteSinceFlush {
            wroteSinceFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// A failed send (an unreachable client, say) concerns one answer: log it, keep serving.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("DNS socket error: \(error)")
    }
}

@available(*, unavailable)
extension DNSDatagramHandler: Sendable {}
