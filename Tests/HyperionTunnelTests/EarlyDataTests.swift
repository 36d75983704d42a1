import HyperionCrypto
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// A real server and client session in process, on loopback: the server announces early
/// data, the client then hands a stream over before the answer; a server that does not
/// announce it is treated as v1.
@Suite(.serialized) struct EarlyDataTests {
    let group = MultiThreadedEventLoopGroup.singleton

    @Test func announcedServerGetsStreamsBeforeItsAnswer() async throws {
        try await withTunnel(announcing: true) { session, echoPort, deniedPort in
            try await eventually("the server's announcement arrived") { session.features.acceptsEarlyData }

            // Sent before any answer; the echo comes back through the same stream.
            let opened = try await session.openStream(port: echoPort, answerTimeout: .seconds(5)).get()
            let reply = try await exchange(on: opened, sending: "hello before the answer")
            #expect(reply == "hello before the answer")
            try await opened.answer.get()

            // A refusal now arrives after the hand-over, on `answer`, and closes the stream.
            let denied = try await session.openStream(port: deniedPort, answerTimeout: .seconds(5)).get()
            // The answer comes with the relay's reads (the opener reads nothing itself).
            try await denied.channel.eventLoop.submit { try denied.channel.setOptionNow(.autoRead, value: true) }.get()
            await #expect { try await denied.answer.get() } throws: { "\($0)".contains("denied port \(deniedPort)") }
            try await denied.channel.closeFuture.get()
        }
    }

    /// Issue 16: early data that left on a path that died unnoticed is lost with it, and
    /// such a stream cannot be opened again elsewhere. On a connection not heard from a
    /// moment ago, the stream waits for its answer, as with a v1 server.
    @Test func aQuietConnectionWaitsForTheAnswer() async throws {
        try await withTunnel(announcing: true, freshness: .milliseconds(50)) { session, echoPort, deniedPort in
            try await eventually("the server's announcement arrived") { session.features.acceptsEarlyData }
            try await Task.sleep(for: .milliseconds(500))
            await #expect { try await session.openStream(port: deniedPort, answerTimeout: .seconds(5)).get() } throws: {
                "\($0)".contains("denied port \(deniedPort)")
            }
        }
    }

    @Test func silentServerIsTreatedAsV1() async throws {
        try await withTunnel(announcing: false) { session, echoPort, deniedPort in
            // Give an announcement time to arrive if one were (wrongly) sent.
            let ping = try await session.ping(timeout: .seconds(5)).get()
            #expect(ping >= .zero)
            #expect(!session.features.acceptsEarlyData)

            await #expect { try await session.openStream(port: deniedPort, answerTimeout: .seconds(5)).get() } throws: {
                "\($0)".contains("denied port \(deniedPort)")
            }
            let opened = try await session.openStream(port: echoPort, answerTimeout: .seconds(5)).get()
            try await opened.answer.get()  // already answered at hand-over
            #expect(try await exchange(on: opened, sending: "v1") == "v1")
        }
    }

    // MARK: helpers

    private func withTunnel(
        announcing: Bool, freshness: TimeAmount = .seconds(60), _ body: (TunnelSession, UInt16, UInt16) async throws -> Void
    ) async throws {
        try await InProcessTunnel.with(group: group, label: "early-data-test") { server in
            server.announcesEarlyData = announcing
        } client: { client in
            // By default early data on every stream of a test, however slowly the machine
            // runs it.
            client.earlyDataFreshness = freshness
        } _: { session, echoPort in
            try await body(session, echoPort, echoPort == 1 ? 2 : 1)
        }
    }

    /// Writes `text` on the stream at once, then reads until as many bytes came back.
    private func exchange(on opened: OpenedStream, sending text: String) async throws -> String {
        let collector = Collector(expected: text.utf8.count, loop: opened.channel.eventLoop)
        try await opened.channel.eventLoop.submit {
            try opened.channel.pipeline.syncOperations.addHandler(collector)
            // Stands in for the relay: the hold hands over what it kept.
            let hold = try opened.channel.pipeline.syncOperations.handler(type: InputHold.self)
            opened.channel.pipeline.syncOperations.removeHandler(hold, promise: nil)
            try opened.channel.setOptionNow(.autoRead, value: true)
            opened.channel.writeAndFlush(ByteBuffer(string: text), promise: nil)
        }.get()
        let timeout = opened.channel.eventLoop.scheduleTask(in: .seconds(5)) {
            collector.done.fail(TunnelError(.streamRefused, "no echo within 5 s"))
        }
        defer { timeout.cancel() }
        return try await collector.done.futureResult.get()
    }

    private func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<500 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("not within 5 s: \(what)")
    }
}

private final class Collector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<String>
    private let expected: Int
    private var received = ""

    init(expected: Int, loop: EventLoop) {
        self.expected = expected
        self.done = loop.makePromise()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
        if received.utf8.count >= expected { done.succeed(received) }
    }
}
