#if os(Linux)
import Glibc
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// Issue 16, the loss gap: a tunnel connection answers what it reads, so Linux puts it in
/// "pingpong mode" and delays ACKs. `PromptAcknowledger` takes it out after every read
/// cycle. Read back from a real socket: getsockopt(TCP_QUICKACK) is 0 in pingpong mode.
@Suite struct PromptAcknowledgerTests {
    final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// Exchanges `rounds` small messages with an echo server whose pipeline gets
    /// `acknowledger` in front of the echo, then reads TCP_QUICKACK of the server's socket.
    func quickAckAfterExchanges(withAcknowledger: Bool, rounds: Int = 10) throws -> SocketOptionValue {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let accepted = group.next().makePromise(of: Channel.self)
        let server = try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if withAcknowledger { try channel.pipeline.syncOperations.addHandler(PromptAcknowledger()) }
                    try channel.pipeline.syncOperations.addHandler(Echo())
                    accepted.succeed(channel)
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(server.localAddress!.port!).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        var byte: UInt8 = 7
        for _ in 0..<rounds {
            #expect(write(fd, &byte, 1) == 1)
            #expect(read(fd, &byte, 1) == 1)
        }
        let channel = try accepted.futureResult.wait()
        // Runs on the server's loop after the read cycle of the last message.
        return try channel.getOption(PromptAcknowledger.quickAck).wait()
    }

    @Test func aConnectionThatAnswersIsTakenOutOfPingpongModeAfterEachRead() throws {
        #expect(try quickAckAfterExchanges(withAcknowledger: false) == 0, "the kernel did not delay ACKs here: this test shows nothing")
        #expect(try quickAckAfterExchanges(withAcknowledger: true) == 1)
    }
}
#endif
