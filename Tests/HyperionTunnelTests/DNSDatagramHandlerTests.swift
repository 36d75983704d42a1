import HyperionDNS
@testable import HyperionTunnel
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// The server's handler on an EmbeddedChannel: one answer per query, to its sender, none
/// queued when the channel cannot take it, and the responder swapped between datagrams.
@Suite struct DNSDatagramHandlerTests {
    static let client = try! SocketAddress(ipAddress: "127.0.0.1", port: 40000)
    static let query: [UInt8] = [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4] + Array("web1".utf8) + [8] + Array("hyperion".utf8) + [0, 0, 1, 0, 1]

    func channel(_ state: DNSServerState) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(state: state, logger: Logger(label: "dns-test")))
        return channel
    }

    func send(_ bytes: [UInt8], _ channel: EmbeddedChannel) throws {
        try channel.writeInbound(AddressedEnvelope(remoteAddress: Self.client, data: ByteBuffer(bytes: bytes)))
        channel.pipeline.fireChannelReadComplete()
    }

    func answer(_ channel: EmbeddedChannel) throws -> (to: SocketAddress, bytes: [UInt8])? {
        guard let envelope = try channel.readOutbound(as: AddressedEnvelope<ByteBuffer>.self) else { return nil }
        return (envelope.remoteAddress, Array(envelope.data.readableBytesView))
    }

    @Test func answersTheSender() throws {
        let state = DNSServerState(responder: DNSResponder(records: ["web1": DNSRecords(ipv4: [10, 99, 0, 10])]))
        let channel = try channel(state)
        try send(Self.query, channel)
        let reply = try #require(try answer(channel))
        #expect(reply.to == Self.client)
        #expect(reply.bytes == DNSResponder(records: ["web1": DNSRecords(ipv4: [10, 99, 0, 10])]).respond(to: Self.query))
        #expect(try answer(channel) == nil, "one answer")
        try send([1, 2, 3], channel)
        #expect(try answer(channel) == nil, "nothing for a datagram that is not a query")
        #expect(state.statistics.withLockedValue { $0.queries == 2 && $0.answered == 1 && $0.dropped == 1 })
        _ = try channel.finish()
    }

    /// A channel past its high watermark gets no more answers: they are counted, not queued.
    @Test func unwritableChannelDropsAnswers() throws {
        let state = DNSServerState(responder: DNSResponder(records: ["web1": DNSRecords(ipv4: [10, 99, 0, 10])]))
        let channel = try channel(state)
        channel.isWritable = false
        for _ in 0..<100 { try send(Self.query, channel) }
        #expect(try answer(channel) == nil)
        channel.isWritable = true
        try send(Self.query, channel)
        #expect(try answer(channel) != nil)
        let statistics = state.statistics.withLockedValue { $0 }
        #expect(statistics.queries == 101 && statistics.answered == 101 && statistics.unsent == 100, "\(statistics)")
        _ = try channel.finish()
    }

    /// The responder in the shared state is the one each datagram sees.
    @Test func swappedResponder() throws {
        let state = DNSServerState(responder: DNSResponder())
        let channel = try channel(state)
        try send(Self.query, channel)
        #expect(try answer(channel)?.bytes[3] == 0x03, "NXDOMAIN before")
        state.responder.withLockedValue { $0 = $0.replacingRecords(["web1": DNSRecords(ipv4: [10, 99, 0, 10])]) }
        try send(Self.query, channel)
        #expect(try answer(channel)?.bytes.suffix(4) == [10, 99, 0, 10], "the address after")
        _ = try channel.finish()
    }
}
