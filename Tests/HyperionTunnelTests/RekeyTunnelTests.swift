import HyperionWire
import NIOCore
import NIOPosix
import Testing
@testable import HyperionTunnel

/// A real server and client in process, on loopback, rekeying every few frames: a stream's
/// bytes come back exactly across hundreds of rekeys in each direction. With rekeying off
/// on either side (as a v1 peer), nobody rekeys and the bytes still come back.
@Suite(.serialized) struct RekeyTunnelTests {
    let group = MultiThreadedEventLoopGroup.singleton
    /// Three data frames and the marker per key.
    static let tiny = RekeyPolicy(framesPerKey: 4, keyLifetime: .seconds(3600))

    @Test func byteExactAcrossHundredsOfRekeysBothWays() async throws {
        try await withTunnel(server: Self.tiny, client: Self.tiny) { session, echoPort in
            let payload = [UInt8].randomBytes(12 * 1024 * 1024)
            let echoed = try await echo(payload, through: session, port: echoPort)
            let same = echoed == payload
            #expect(same, "\(echoed.count) bytes echoed of \(payload.count)")
            let counts = try await rekeyCounts(session)
            // 12 MiB is at least 768 full frames each way: one marker per three.
            #expect(counts.sent >= 200, "client rekeys: \(counts)")
            #expect(counts.received >= 200, "server rekeys: \(counts)")
        }
    }

    @Test(arguments: [(true, false), (false, true)])
    func nobodyRekeysUnlessBothOptIn(serverRekeys: Bool, clientRekeys: Bool) async throws {
        try await withTunnel(server: serverRekeys ? Self.tiny : nil, client: clientRekeys ? Self.tiny : nil) { session, echoPort in
            // A ping round trip after the session's first frames: an announcement and an
            // opt-in, had either been sent, have arrived by then.
            _ = try await session.ping(timeout: .seconds(10)).get()
            let payload = [UInt8].randomBytes(2 * 1024 * 1024)
            let echoed = try await echo(payload, through: session, port: echoPort)
            let same = echoed == payload
            #expect(same)
            let counts = try await rekeyCounts(session)
            #expect(counts.sent == 0 && counts.received == 0, "\(counts)")
        }
    }

    // MARK: helpers

    private func rekeyCounts(_ session: TunnelSession) async throws -> (sent: Int, received: Int) {
        try await session.channel.eventLoop.submit {
            try session.channel.pipeline.syncOperations.handler(type: NoiseTransportHandler.self).rekeyCounts
        }.get()
    }

    private func withTunnel(server: RekeyPolicy?, client: RekeyPolicy?, _ body: (TunnelSession, UInt16) async throws -> Void) async throws {
        try await InProcessTunnel.with(group: group, label: "rekey-test") { settings in
            settings.rekeying = server
        } client: { settings in
            settings.rekeying = client
        } _: { session, echoPort in
            try await body(session, echoPort)
        }
    }

    /// Sends `payload` on a new stream to the echo service and reads as many bytes back.
    private func echo(_ payload: [UInt8], through session: TunnelSession, port: UInt16) async throws -> [UInt8] {
        let opened = try await session.openStream(port: port, answerTimeout: .seconds(10), answerFirst: true).get()
        let collector = ByteCollector(expected: payload.count, loop: opened.channel.eventLoop)
        try await opened.channel.eventLoop.submit {
            try opened.channel.pipeline.syncOperations.addHandler(collector)
            let hold = try opened.channel.pipeline.syncOperations.handler(type: InputHold.self)
            opened.channel.pipeline.syncOperations.removeHandler(hold, promise: nil)
            try opened.channel.setOptionNow(.autoRead, value: true)
            for start in stride(from: 0, to: payload.count, by: 65_536) {
                opened.channel.write(ByteBuffer(bytes: payload[start..<min(start + 65_536, payload.count)]), promise: nil)
            }
            opened.channel.flush()
        }.get()
        // Generous: a debug build on a shared machine.
        let timeout = opened.channel.eventLoop.scheduleTask(in: .seconds(120)) {
            collector.done.fail(TunnelError(.streamRefused, "the echo did not come back within 120 s"))
        }
        defer { timeout.cancel() }
        let received = try await collector.done.futureResult.get()
        opened.channel.close(promise: nil)
        return received
    }
}

/// Collects a stream's bytes until `expected` arrived.
private final class ByteCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: used on the stream's event loop only; `done` is thread-safe.
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<[UInt8]>
    private let expected: Int
    private var received: [UInt8] = []

    init(expected: Int, loop: EventLoop) {
        self.done = loop.makePromise()
        self.expected = expected
        received.reserveCapacity(expected)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received.append(contentsOf: unwrapInboundIn(data).readableBytesView)
        if received.count >= expected { done.succeed(received) }
    }
}

extension [UInt8] {
    /// Random bytes, eight from each generated word (a debug build makes per-byte calls slow).
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Array(bytes.prefix(count))
    }
}
