import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to acknowledge at once what a tunnel connection just read, after every
/// read cycle (TCP_QUICKACK; Linux only).
///
/// A tunnel connection answers what it reads with small writes of its own (window updates,
/// pings and their answers), so Linux takes it for an interactive connection ("pingpong
/// mode") and delays the ACK for a segment that arrives alone by 40 ms or more, hoping to
/// send it with the next answer. In a bulk transfer at loss, with a congestion window of a
/// few segments, segments arrive alone all the time, and every delayed ACK holds the peer's
/// sender back; it also sends more tail loss probes and takes more retransmission timeouts
/// (docs/PERFORMANCE.md, "Loss"). A plain TCP receiver that does not answer is not in
/// pingpong mode and acknowledges every second segment at once. The option is not sticky:
/// the next answer we send puts the connection back into pingpong mode, so it is set again
/// after each read cycle, once the session has read and flushed what the cycle brought.
final class PromptAcknowledger: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// False once the channel refused the option (not a TCP socket, or not Linux).
    private var isEnabled = true

    #if os(Linux)
    static let quickAck = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_QUICKACK)))
    #endif

    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        #if os(Linux)
        guard isEnabled, context.channel.isActive else { return }
        do {
            try context.channel.syncOptions?.setOption(Self.quickAck, value: 1)
        } catch {
            isEnabled = false
        }
        #endif
    }
}

@available(*, unavailable)
extension PromptAcknowledger: Sendable {}
