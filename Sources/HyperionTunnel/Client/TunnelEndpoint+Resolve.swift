import NIOCore
import NIOPosix

extension TunnelEndpoint {
    /// The one address a knocked connection uses: the resolver's first answer for `host`
    /// (its preferred family) at the tunnel port.
    ///
    /// A knock opens the port for one source address of one family, so the knock and the
    /// connect must go to the same address. Resolving once and dialing that address keeps
    /// them together; dialing the name instead would let Happy Eyeballs start with the
    /// other family, whose port the knock did not open.
    func resolveForKnock(on eventLoop: EventLoop) -> EventLoopFuture<SocketAddress> {
        // Name resolution blocks, so it runs on the thread pool, never on the event loop.
        NIOThreadPool.singleton.runIfActive(eventLoop: eventLoop) {
            try SocketAddress.makeAddressResolvingHost(host, port: port)
        }.flatMapErrorThrowing { error in
            throw TunnelError(.connectFailed, "cannot resolve \(host) to knock: \(error)")
        }
    }
}
