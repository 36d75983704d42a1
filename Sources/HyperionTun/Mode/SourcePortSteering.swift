#if os(Linux)
import CHyperionLinux
import Glibc
import HyperionNAT
import HyperionTunnel
import Logging
import NIOCore

/// Keeps each TUN flow on one event loop from its stream to its relay.
///
/// A flow's stream is opened when the packet thread sees its SYN, before our listener has
/// a connection for it; the listener's sockets then share the accepted connections by the
/// kernel's hash. Without steering, the relay would often cross threads, and its buffers
/// would be freed on a thread other than the one that allocated them. With it, the flow's
/// NAT port (the source port of the connection the listener accepts) picks both: the stream
/// opens on `loops[port % loops.count]`, and a classic BPF program on the listener's
/// SO_REUSEPORT group hands the connection to the socket of that same index.
///
/// The index is the socket's place in the group, which is the order the listener's sockets
/// started listening (`LocalListener`). Should one of them close while the others live on,
/// the kernel moves the last socket into its place: every flow still works, but some relays
/// cross loops again until the listener is started anew (it then binds a new port, hence a
/// new group).
enum SourcePortSteering {
    static func loop(for handle: FlowHandle, in loops: [EventLoop]) -> EventLoop {
        loops[Int(handle.natPort) % loops.count]
    }

    /// The setup for a listener with one socket on each of `sockets` loops. A kernel that
    /// refuses the program (TCP listeners take one since Linux 4.6) leaves the choice to its
    /// hash: every flow still works, only its relay may cross loops, and the log says so
    /// once per listener.
    static func setup(sockets: Int, ipv6: Bool, logger: Logger) -> LocalListener.SteeringSetup {
        { channel in
            guard let provider = channel as? SocketOptionProvider else {
                logger.notice("TUN flows are not steered to their streams' event loops: the listener has no socket options")
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            let program = Program(sockets: sockets, ipv6: ipv6)
            return provider.unsafeSetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(chyperion_so_attach_reuseport_cbpf),
                value: program.fprog
            ).always { _ in
                program.deallocate()
            }.flatMapError { error in
                logger.notice("TUN flows are not steered to their streams' event loops: \(error)")
                return channel.eventLoop.makeSucceededVoidFuture()
            }
        }
    }

    /// The instructions, in memory of their own until setsockopt has copied them.
    private struct Program: @unchecked Sendable {
        let instructions: UnsafeMutablePointer<sock_filter>
        let fprog: sock_fprog

        init(sockets: Int, ipv6: Bool) {
            instructions = .allocate(capacity: 4)
            let count = chyperion_source_port_steering(instructions, UInt32(sockets), ipv6 ? 1 : 0)
            fprog = sock_fprog(len: UInt16(count), filter: instructions)
        }

        func deallocate() { instructions.deallocate() }
    }
}

extension sock_fprog: @retroactive @unchecked Sendable {}
#endif
