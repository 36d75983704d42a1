#if os(Linux)
import HyperionNAT
import HyperionTunnel
import Logging
import NIOCore
import Synchronization

/// The event-loop side of TUN mode's flows: a held SYN's stream is opened here, kept until
/// the listener accepts the flow's connection, and handed to the relay then.
///
/// The order for a new flow: the packet thread holds the SYN and calls `flowRequested`; the
/// server's pool opens a stream and waits for the server's answer; on "connected" the stream
/// is parked here and the SYN let through; the kernel completes the handshake with our
/// listener, whose resolver takes the parked stream (`take`). A refusal becomes a forged
/// RST|ACK, no tunnel an ICMP unreachable, so the application's `connect()` fails the way it
/// would against the server itself.
final class TunFlows: TunFlowDelegate {
    /// Streams opened whose connection the listener has not accepted yet: at most one per
    /// NAT port, bounded by the NAT's table.
    private let parked = Mutex<[FlowHandle: OpenedStream]>([:])
    private let pools: ServerPools
    /// The group's loops, in the order of the listener's sockets (`SourcePortSteering`).
    private let loops: [EventLoop]
    private let streamWait: TimeAmount
    private let peers: TunPeers
    private let logger: Logger
    /// Set once the packet loop exists; commands to the packet thread.
    private let sender = Mutex<(@Sendable (TunFlowHandler.Command) -> Bool)?>(nil)

    init(pools: ServerPools, loops: [EventLoop], streamWait: TimeAmount, peers: TunPeers, logger: Logger) {
        self.pools = pools
        self.loops = loops
        self.streamWait = streamWait
        self.peers = peers
        self.logger = logger
    }

    func connect(to send: @escaping @Sendable (TunFlowHandler.Command) -> Bool) {
        sender.withLock { $0 = send }
    }

    // MARK: from the packet thread

    func flowRequested(_ request: FlowRequest) {
        let destination = request.destinationAddressBytes
        guard let pool = pools.pool(at: destination) else {
            logger.info("no server at \(TunPeers.text(destination)): answering host unreachable")
            send(.unreachable(request.handle))
            return
        }
        let port = request.destination.port
        pool.openStream(port: port, preferring: SourcePortSteering.loop(for: request.handle, in: loops), wait: streamWait, answerFirst: true).whenComplete { result in
            switch result {
            case let .success(opened):
                self.parked.withLock { $0[request.handle] = opened }
                if !self.send(.admit(request.handle)) { self.drop(request.handle) }
            case let .failure(error):
                let kind = (error as? TunnelError)?.kind
                self.logger.notice("refusing a connection to \(TunPeers.text(destination)):\(port) (\(pool.endpoint.name)): \(error)")
                self.send(kind == .noLiveTunnel ? .unreachable(request.handle) : .refuse(request.handle))
            }
        }
    }

    func flowExpired(_ handle: FlowHandle) {
        drop(handle)
    }

    // MARK: from the listener

    /// The parked stream of the connection `local` the listener accepted, if it is one of
    /// ours; the NAT hears that the flow is established, and when it closes.
    func take(_ local: Channel) -> StreamTarget? {
        guard let address = local.remoteAddress, let handle = peers.handle(for: address) else { return nil }
        guard let opened = parked.withLock({ $0.removeValue(forKey: handle) }) else { return nil }
        sendSurely(.accepted(handle), on: local.eventLoop)
        local.closeFuture.whenComplete { _ in self.sendSurely(.closed(handle), on: local.eventLoop) }
        return .opened(opened)
    }

    /// Resets every parked stream (shutdown).
    func dropAll() {
        let all = parked.withLock { parked -> [OpenedStream] in
            defer { parked = [:] }
            return Array(parked.values)
        }
        all.forEach { $0.channel.closeWithReset() }
    }

    private func drop(_ handle: FlowHandle) {
        parked.withLock { $0.removeValue(forKey: handle) }?.channel.closeWithReset()
    }

    /// For the commands whose loss would leave a NAT entry behind for ever (an established
    /// flow has no timeout): tried again a few times while the packet thread's mailbox is full.
    private func sendSurely(_ command: TunFlowHandler.Command, on loop: EventLoop, attempts: Int = 50) {
        guard let send = sender.withLock({ $0 }) else { return }
        if send(command) { return }
        guard attempts > 1 else {
            logger.warning("the TUN packet thread is overloaded: a flow command was dropped", metadata: ["command": "\(command)"])
            return
        }
        loop.scheduleTask(in: .milliseconds(20)) { self.sendSurely(command, on: loop, attempts: attempts - 1) }
    }

    /// A command the packet thread could not take (its mailbox is full) is dropped with a
    /// log line; the NAT's own timeouts then end the flow.
    @discardableResult
    private func send(_ command: TunFlowHandler.Command) -> Bool {
        guard let send = sender.withLock({ $0 }), send(command) else {
            logger.warning("the TUN packet thread is overloaded: a flow command was dropped", metadata: ["command": "\(command)"])
            return false
        }
        return true
    }
}
#endif
