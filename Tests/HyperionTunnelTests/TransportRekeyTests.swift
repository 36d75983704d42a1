import HyperionWire
import NIOCore
import NIOEmbedded
import Testing
@testable import HyperionTunnel

/// The transport handlers of a real handshake on two EmbeddedChannels, with rekeying
/// negotiated by calling what `RekeyPingListener` calls, and the embedded loops' clocks
/// as the injected time.
@Suite struct TransportRekeyTests {
    let base = NoiseHandlersTests()
    let policy = RekeyPolicy(framesPerKey: 1 << 20, keyLifetime: .minutes(10))

    typealias Pair = (client: EmbeddedChannel, server: EmbeddedChannel, clientSink: NoiseHandlersTests.PlaintextSink, serverSink: NoiseHandlersTests.PlaintextSink)

    func connectedPair() throws -> Pair {
        let (client, server, clientDone, serverDone, clientSink, serverSink) = try base.pair(allowlist: [base.adminKey.publicKey])
        _ = try NoiseHandlersTests.pump(client, server)
        _ = try NoiseHandlersTests.pump(server, client)
        _ = try clientDone.wait()
        _ = try serverDone.wait()
        return (client, server, clientSink, serverSink)
    }

    func transport(_ channel: EmbeddedChannel) throws -> NoiseTransportHandler {
        try channel.pipeline.syncOperations.handler(type: NoiseTransportHandler.self)
    }

    /// Writes `text` from `from` and delivers it to `to`.
    func send(_ text: String, _ from: EmbeddedChannel, _ to: EmbeddedChannel) throws {
        try from.writeAndFlush(ByteBuffer(string: text)).wait()
        _ = try NoiseHandlersTests.pump(from, to)
    }

    /// Announcement, opt-in, the server's confirming marker: then both rekey by time.
    func negotiate(_ pair: Pair, clientPolicy: RekeyPolicy? = nil) throws {
        try transport(pair.server).negotiateRekeying(role: .server, policy: policy)
        try transport(pair.client).negotiateRekeying(role: .client, policy: clientPolicy ?? policy)
        #expect(try transport(pair.client).rekeyPingReceived(), "the client opts in")
        #expect(try !transport(pair.server).rekeyPingReceived(), "the server sends no ping of its own")
        try send("confirm", pair.server, pair.client)
        #expect(try transport(pair.server).rekeyCounts.sent == 1, "the confirmation went at once")
        #expect(try transport(pair.client).rekeyCounts.received == 1)
    }

    @Test func timeTriggerWithAnInjectedClock() throws {
        let pair = try connectedPair()
        try negotiate(pair)
        try send("a", pair.client, pair.server)
        #expect(try transport(pair.client).rekeyCounts.sent == 0, "a fresh key is not retired")

        pair.client.embeddedEventLoop.advanceTime(by: .minutes(10))
        try send("b", pair.client, pair.server)
        #expect(try transport(pair.client).rekeyCounts.sent == 1)
        #expect(try transport(pair.server).rekeyCounts.received == 1)

        pair.client.embeddedEventLoop.advanceTime(by: .minutes(9))
        try send("c", pair.client, pair.server)
        #expect(try transport(pair.client).rekeyCounts.sent == 1)
        pair.client.embeddedEventLoop.advanceTime(by: .minutes(1))
        try send("d", pair.client, pair.server)
        #expect(try transport(pair.client).rekeyCounts.sent == 2)

        // The server's direction, on its own clock.
        pair.server.embeddedEventLoop.advanceTime(by: .minutes(10))
        try send("e", pair.server, pair.client)
        #expect(try transport(pair.server).rekeyCounts.sent == 2)
        #expect(try transport(pair.client).rekeyCounts.received == 2)

        #expect(String(decoding: pair.serverSink.received, as: UTF8.self) == "abcd")
        #expect(String(decoding: pair.clientSink.received, as: UTF8.self) == "confirme")
    }

    /// The client's first key is retired by count even for frames it sealed before the
    /// agreement, and only after the server's confirmation arrived.
    @Test func clientStartsOnlyAfterTheConfirmation() throws {
        let pair = try connectedPair()
        try transport(pair.server).negotiateRekeying(role: .server, policy: policy)
        try transport(pair.client).negotiateRekeying(role: .client, policy: RekeyPolicy(framesPerKey: 2, keyLifetime: .minutes(10)))
        #expect(try transport(pair.client).rekeyPingReceived())
        for text in ["1", "2", "3"] { try send(text, pair.client, pair.server) }
        #expect(try transport(pair.client).rekeyCounts.sent == 0, "no marker before the server confirmed")
        _ = try transport(pair.server).rekeyPingReceived()
        try send("ok", pair.server, pair.client)
        try send("4", pair.client, pair.server)
        #expect(try transport(pair.client).rekeyCounts.sent >= 1)
        #expect(try transport(pair.server).rekeyCounts.received == transport(pair.client).rekeyCounts.sent)
        #expect(String(decoding: pair.serverSink.received, as: UTF8.self) == "1234")
    }

    /// A side that does not rekey (v1, or rekeying off) ends the connection on a marker.
    @Test func aMarkerToASideThatDidNotOptInClosesTheConnection() throws {
        let pair = try connectedPair()
        try transport(pair.server).negotiateRekeying(role: .server, policy: policy)
        // As if the client had opted in; it did not.
        _ = try transport(pair.server).rekeyPingReceived()
        try pair.server.writeAndFlush(ByteBuffer(string: "x")).wait()
        #expect(throws: (any Error).self) { _ = try NoiseHandlersTests.pump(pair.server, pair.client) }
        #expect(!pair.client.isActive)
        #expect(pair.clientSink.received.isEmpty)
    }

    /// The same from the server's side: it announced, and the client sends a marker
    /// without having opted in. (The client is played by a handler in the server's role,
    /// which starts its markers at a ping.)
    @Test func aMarkerFromAClientThatDidNotOptInClosesTheConnection() throws {
        let pair = try connectedPair()
        try transport(pair.server).negotiateRekeying(role: .server, policy: policy)
        try transport(pair.client).negotiateRekeying(role: .server, policy: policy)
        _ = try transport(pair.client).rekeyPingReceived()
        try pair.client.writeAndFlush(ByteBuffer(string: "y")).wait()
        #expect(throws: (any Error).self) { _ = try NoiseHandlersTests.pump(pair.client, pair.server) }
        #expect(!pair.server.isActive)
        #expect(pair.serverSink.received.isEmpty)
    }
}
