#if os(Linux)
import Foundation
import HyperionTun
import Synchronization
import Testing

/// The loop against the real kernel: packets an ordinary socket sends into the TUN's
/// prefix reach the handler; packets the handler writes reach ordinary sockets.
@Suite struct TunPacketLoopKernelTests {
    /// Opens a device, starts a loop with `handler` and runs `body`; stops and closes after.
    private func withLoop(
        offload: Bool, handler: RecordingHandler, tickInterval: Duration = .milliseconds(100),
        _ body: (TestNetwork, TunPacketLoop<RecordingHandler>) throws -> Void
    ) throws {
        let network = TestNetwork()
        let device = try TunDevice.open(network.configuration(offload: offload))
        defer { device.close() }
        let loop = try TunPacketLoop(device: device, handler: handler, tickInterval: tickInterval)
        try loop.start()
        defer { loop.stop() }
        try body(network, loop)
    }

    private func address(_ network: TestNetwork, family: Int, host: UInt8) -> [UInt8] {
        family == 6 ? network.v6(host) : network.v4(host)
    }

    @Test(arguments: [true, false], [4, 6])
    func theHandlerGetsWhatASocketSendsIntoThePrefix(offload: Bool, family: Int) throws {
        guard KernelTestRequirement.met("TUN loop read") else { return }
        let port = UInt16.random(in: 20000...29999)
        let handler = RecordingHandler(watchedPort: port)
        try withLoop(offload: offload, handler: handler) { network, loop in
            let socket = try UDPTestSocket(bindTo: address(network, family: family, host: 1))
            let payload = Array("into the tun, offload \(offload), IPv\(family)".utf8)
            try socket.send(payload, to: address(network, family: family, host: 2), port: port)

            #expect(waitUntil(seconds: 3) { !handler.seen.withLock { $0.isEmpty } }, "the handler saw nothing")
            let seen = try #require(handler.seen.withLock { $0.first })
            let packet = try #require(UDPPacket(parsing: seen.packet))
            #expect(packet.source == address(network, family: family, host: 1))
            #expect(packet.destination == address(network, family: family, host: 2))
            #expect(packet.sourcePort == socket.port && packet.destinationPort == port)
            #expect(packet.payload == payload)
            #expect((seen.header != nil) == offload, "header: \(String(describing: seen.header))")
            if let header = seen.header { #expect(header.gsoType == .none) }
            let statistics = loop.statistics
            #expect(statistics.packetsRead >= 1)
            #expect(statistics.lengthMismatchDrops == 0 && statistics.readErrors == 0)
        }
    }

    @Test(arguments: [true, false], [4, 6])
    func aPacketTheHandlerWritesReachesASocket(offload: Bool, family: Int) throws {
        guard KernelTestRequirement.met("TUN loop write") else { return }
        let handler = RecordingHandler()
        try withLoop(offload: offload, handler: handler) { network, loop in
            let socket = try UDPTestSocket(bindTo: address(network, family: family, host: 1))
            let payload = Array("out of the tun, offload \(offload), IPv\(family)".utf8)
            let packet = UDPPacket(
                source: address(network, family: family, host: 2), destination: address(network, family: family, host: 1),
                sourcePort: 5353, destinationPort: socket.port, payload: payload
            )
            #expect(loop.send(.write(packet.bytes)))
            #expect(socket.receive() == payload, "the socket received nothing; writes: \(handler.writes.withLock { $0 })")
            // The kernel delivers during write(2), so the handler may not have recorded yet.
            #expect(waitUntil(seconds: 1) { handler.writes.withLock { $0 } == [true] })
            #expect(waitUntil(seconds: 1) { loop.statistics.packetsWritten >= 1 })
            #expect(loop.statistics.writeErrors == 0)
        }
    }

    /// Rewritten in place and written back with the header it came with (NEEDS_CSUM with a
    /// partial checksum when offload is on): the socket gets its datagram back.
    @Test(arguments: [true, false], [4, 6])
    func aPacketWrittenBackInPlaceReachesASocket(offload: Bool, family: Int) throws {
        guard KernelTestRequirement.met("TUN loop write back") else { return }
        let port = UInt16.random(in: 30000...39999)
        let handler = RecordingHandler(echoPort: port)
        try withLoop(offload: offload, handler: handler) { network, loop in
            let socket = try UDPTestSocket(bindTo: address(network, family: family, host: 1))
            let payload = Array("echo, offload \(offload), IPv\(family)".utf8)
            try socket.send(payload, to: address(network, family: family, host: 2), port: port)
            #expect(socket.receive() == payload, "no echo; echoes: \(handler.echoes.withLock { $0 }), \(loop.statistics)")
            // The kernel delivers during write(2), so the handler may not have recorded yet.
            #expect(waitUntil(seconds: 1) { handler.echoes.withLock { $0 } == [true] })
        }
    }

    @Test func stopReturnsPromptlyWhileTheThreadWaitsInPoll() throws {
        guard KernelTestRequirement.met("TUN loop stop") else { return }
        let network = TestNetwork()
        let device = try TunDevice.open(network.configuration(offload: true))
        defer { device.close() }
        let loop = try TunPacketLoop(device: device, handler: RecordingHandler(), tickInterval: .seconds(10))
        try loop.start()
        Thread.sleep(forTimeInterval: 0.2)
        let started = Date()
        loop.stop()
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 1, "stop took \(elapsed) s")
        #expect(!loop.send(.note(1)), "a stopped loop took a command")
        loop.stop()
        #expect(IPCommand.linkExists(network.name), "stop closed the device")
    }

    @Test func commandsFromOtherThreadsArriveInTheirOrder() throws {
        guard KernelTestRequirement.met("TUN loop commands") else { return }
        let handler = RecordingHandler()
        try withLoop(offload: false, handler: handler) { _, loop in
            let threads = 4
            let perThread = 200
            let refused = RefusalCounter()
            for thread in 0..<threads {
                Thread.detachNewThread {
                    for value in 0..<perThread where !loop.send(.note(thread * 1000 + value)) {
                        refused.value.add(1, ordering: .relaxed)
                    }
                }
            }
            #expect(waitUntil(seconds: 3) { handler.notes.withLock { $0.count } == threads * perThread })
            #expect(refused.value.load(ordering: .relaxed) == 0)
            let notes = handler.notes.withLock { $0 }
            for thread in 0..<threads {
                #expect(notes.filter { $0 / 1000 == thread } == (0..<perThread).map { thread * 1000 + $0 })
            }
            #expect(waitUntil(seconds: 1) { loop.statistics.commandsHandled == UInt64(threads * perThread) })
        }
    }

    private final class RefusalCounter: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test func aFullMailboxRefusesAndQueuedCommandsWaitForStart() throws {
        guard KernelTestRequirement.met("TUN loop mailbox") else { return }
        let network = TestNetwork()
        let device = try TunDevice.open(network.configuration(offload: false))
        defer { device.close() }
        let handler = RecordingHandler()
        let loop = try TunPacketLoop(device: device, handler: handler, mailboxCapacity: 2)
        #expect(loop.send(.note(1)))
        #expect(loop.send(.note(2)))
        #expect(!loop.send(.note(3)))
        #expect(loop.statistics.mailboxFull == 1)
        try loop.start()
        defer { loop.stop() }
        #expect(waitUntil(seconds: 2) { handler.notes.withLock { $0 } == [1, 2] })
        #expect(loop.send(.note(4)))
        #expect(waitUntil(seconds: 2) { handler.notes.withLock { $0 } == [1, 2, 4] })
        let again = #expect(throws: TunError.self) { try loop.start() }
        #expect(again?.kind == .invalidState)
    }

    @Test func ticksComeAtTheirInterval() throws {
        guard KernelTestRequirement.met("TUN loop ticks") else { return }
        let handler = RecordingHandler()
        try withLoop(offload: false, handler: handler, tickInterval: .milliseconds(20)) { _, _ in
            Thread.sleep(forTimeInterval: 0.5)
            let ticks = handler.ticks.load(ordering: .relaxed)
            #expect((10...30).contains(ticks), "\(ticks) ticks in 0.5 s at 20 ms")
        }
    }
}
#endif
