import HyperionMux
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The one abnormal end, for every kind of channel a relay joins: a TCP RST on a socket
/// (SO_LINGER 0, then close), a yamux RST on a stream. A FIN would tell the other end
/// that it has everything; after a failure it does not.
extension ChannelHandlerContext {
    /// The close goes through the pipeline from this handler's position, like `close()`.
    func closeWithReset() {
        channel.lingerZeroIfSocket()
        // A yamux stream ends itself with RST on this event; a socket ignores it.
        triggerUserOutboundEvent(YamuxStreamReset(), promise: nil)
        close(promise: nil)
    }
}

extension Channel {
    /// `closeWithReset()` from outside the pipeline, from any thread.
    public func closeWithReset() {
        let reset: @Sendable () -> Void = {
            self.lingerZeroIfSocket()
            self.pipeline.triggerUserOutboundEvent(YamuxStreamReset(), promise: nil)
            self.close(promise: nil)
        }
        if eventLoop.inEventLoop { reset() } else { eventLoop.execute(reset) }
    }

    /// On the channel's own loop the option is set at once, before any close that follows.
    fileprivate func lingerZeroIfSocket() {
        guard let socket = self as? SocketOptionProvider else { return }
        _ = socket.setSoLinger(linger(l_onoff: 1, l_linger: 0))
    }
}
