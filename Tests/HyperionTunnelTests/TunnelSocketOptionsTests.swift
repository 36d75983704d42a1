import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// The options both ends put on a tunnel connection's socket, read back from real sockets.
@Suite struct TunnelSocketOptionsTests {
    /// Issue 16, the loss gap: without TCP_NOTSENT_LOWAT the kernel queues megabytes of our
    /// data unsent, and a window update written behind them waits until they are all sent,
    /// while the peer's stream stalls for it (docs/PERFORMANCE.md, "Loss").
    @Test func bothEndsKeepTheUnsentQueueSmall() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let accepted = group.next().makePromise(of: [SocketOptionValue].self)
        let server = try ServerBootstrap(group: group)
            .tunnelChildSocketOptions(userTimeout: .seconds(15))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.setTunnelOptionsIfSupported(userTimeout: .seconds(15))
                    let options = channel.syncOptions!
                    accepted.succeed([
                        try options.getOption(TunnelSocketOptions.notSentLowWater),
                        try options.getOption(TunnelSocketOptions.userTimeout),
                    ])
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let client = try ClientBootstrap(group: group)
            .tunnelSocketOptions(mark: nil, userTimeout: .seconds(15))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.setTunnelOptionsIfSupported(userTimeout: .seconds(15)) }
            }
            .connect(to: server.localAddress!).wait()
        defer { try? client.close().wait() }

        #expect(try client.getOption(TunnelSocketOptions.notSentLowWater).wait() == 128 * 1024)
        #expect(try client.getOption(TunnelSocketOptions.userTimeout).wait() == 15_000)
        #expect(try accepted.futureResult.wait() == [128 * 1024, 15_000])
    }

    /// Issue 16, the blackhole row: retransmissions at least once a second on a tunnel
    /// connection, where the kernel has TCP_RTO_MAX_MS (Linux 6.15); the connection goes
    /// ahead without it elsewhere.
    @Test func bothEndsRetransmitAtLeastOnceASecondWhereTheKernelCan() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let accepted = group.next().makePromise(of: SocketOptionValue?.self)
        let server = try ServerBootstrap(group: group)
            .tunnelChildSocketOptions(userTimeout: .seconds(15))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.setTunnelOptionsIfSupported(userTimeout: .seconds(15))
                    accepted.succeed(try? channel.syncOptions!.getOption(TunnelSocketOptions.retransmissionTimeoutMax))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }
        let client = try ClientBootstrap(group: group)
            .tunnelSocketOptions(mark: nil, userTimeout: .seconds(15))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.setTunnelOptionsIfSupported(userTimeout: .seconds(15)) }
            }
            .connect(to: server.localAddress!).wait()
        defer { try? client.close().wait() }

        let clientValue: SocketOptionValue?
        do {
            clientValue = try client.getOption(TunnelSocketOptions.retransmissionTimeoutMax).wait()
        } catch let error as IOError where error.errnoCode == ENOPROTOOPT {
            clientValue = nil  // an older kernel: nothing to check but that the connection was made
        }
        guard let clientValue else { return }
        #expect(clientValue == 1000)
        #expect(try accepted.futureResult.wait() == 1000)
    }
}
