import HyperionCrypto
import HyperionWire
import Testing
@testable import HyperionSPA

@Suite struct KnockProcessorTests {
    let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 7, count: 32))
    let server = X25519SecretKey.generate()
    let now: UInt64 = 1_750_000_000

    func processor(cooldown: UInt64 = 10) -> KnockProcessor {
        let verifier = KnockVerifier(key: KnockKey(presharedKey: psk), serverPublicKey: server.publicKey, clock: .fixed(now))
        return KnockProcessor(
            knockPort: 8443, verifier: verifier, cooldownSeconds: cooldown, clock: .fixed(now),
            summaryIntervalNanoseconds: 1_000_000_000, monotonicNow: 0
        )
    }

    func knockFrame(from source: FrameBuilder = FrameBuilder(), time: UInt64? = nil) throws -> [UInt8] {
        var builder = source
        builder.payload = try KnockPacket.seal(
            key: KnockKey(presharedKey: psk), serverPublicKey: server.publicKey, unixTime: time ?? now, tunnelPort: 8443
        )
        return builder.frame
    }

    func process(_ processor: inout KnockProcessor, _ frame: [UInt8], length: Int? = nil,
                 packetType: UInt8 = KnockProcessor.packetHost, hardwareType: UInt16 = KnockProcessor.hardwareEthernet) -> KnockDecision {
        frame.withUnsafeBytes {
            processor.process(frame: $0, frameLength: length ?? frame.count, packetType: packetType, hardwareType: hardwareType)
        }
    }

    @Test func acceptsAValidKnockThenCoolsDown() throws {
        var gate = processor()
        let source = FrameBuilder().source
        #expect(process(&gate, try knockFrame()) == .accepted(source: source, requestedPort: 8443, openFirewall: true))
        #expect(process(&gate, try knockFrame()) == .accepted(source: source, requestedPort: 8443, openFirewall: false))
        let v6 = FrameBuilder.v6("2001:db8::99")
        #expect(process(&gate, try knockFrame(from: v6)) == .accepted(source: v6.source, requestedPort: 8443, openFirewall: true))
        #expect(process(&gate, try knockFrame(), hardwareType: KnockProcessor.hardwareLoopback)
            == .accepted(source: source, requestedPort: 8443, openFirewall: false))
    }

    @Test func refusesAndCountsByReason() throws {
        var gate = processor()
        let knock = try knockFrame()
        #expect(process(&gate, knock, packetType: KnockProcessor.packetOutgoing) == .ignoredOutgoing)
        #expect(process(&gate, knock, length: 70_000) == .rejected(.truncated))
        #expect(process(&gate, knock, hardwareType: 65534) == .rejected(.unsupportedLinkType))
        #expect(process(&gate, knock, packetType: 1) == .rejected(.notForThisHost))
        #expect(process(&gate, [1, 2, 3]) == .rejected(.notAUDPDatagram))
        var otherPort = FrameBuilder()
        otherPort.destinationPort = 53
        #expect(process(&gate, otherPort.frame) == .rejected(.wrongPort))
        var broadcast = FrameBuilder()
        broadcast.source = IPAddress(v4: 255, 255, 255, 255)
        #expect(process(&gate, try knockFrame(from: broadcast)) == .rejected(.unusableSource))
        var short = FrameBuilder()
        short.payload = [0x48, 0x56, 0x50, 0x4B]
        #expect(process(&gate, short.frame) == .rejected(.knock(.wrongLength)))
        var tampered = knock
        tampered[tampered.count - 1] ^= 1
        #expect(process(&gate, tampered) == .rejected(.knock(.authenticationFailed)))
        #expect(process(&gate, try knockFrame(time: now - 31)) == .rejected(.knock(.stale)))
        #expect(process(&gate, try knockFrame(time: now + 31)) == .rejected(.knock(.fromTheFuture)))
        #expect(process(&gate, knock) == .accepted(source: FrameBuilder().source, requestedPort: 8443, openFirewall: true))
        #expect(process(&gate, knock) == .rejected(.knock(.replayed)))
        #expect(gate.tally.totalsByReason == [
            .truncated: 1, .unsupportedLinkType: 1, .notForThisHost: 1, .notAUDPDatagram: 1, .wrongPort: 1, .unusableSource: 1,
            .knock(.wrongLength): 1, .knock(.authenticationFailed): 1, .knock(.stale): 1, .knock(.fromTheFuture): 1, .knock(.replayed): 1,
        ])
        #expect(gate.summaryIfDue(monotonicNow: 2_000_000_000)?.hasPrefix("refused 11 datagrams in the last 1 s: 1 truncated frame, ") == true)
    }

    @Test func kernelDropsJoinTheSummary() {
        var gate = processor()
        #expect(process(&gate, [1, 2, 3]) == .rejected(.notAUDPDatagram))
        gate.recordKernelDrops(7)
        #expect(gate.summaryIfDue(monotonicNow: 999_999_999) == nil)
        #expect(gate.summaryIfDue(monotonicNow: 1_000_000_000)
            == "refused 1 datagram in the last 1 s: 1 not a UDP datagram; the kernel dropped 7 more (receive buffer full)")
        gate.recordKernelDrops(1)
        #expect(gate.summaryIfDue(monotonicNow: 2_500_000_000)
            == "the kernel dropped 1 datagram in the last 1 s (receive buffer full)")
        #expect(gate.summaryIfDue(monotonicNow: 3_000_000_000) == nil, "the counts started over")
    }

    @Test func aKnockForAnotherPortIsStillAcceptedAndReportsThePort() throws {
        var gate = processor()
        var builder = FrameBuilder()
        builder.payload = try KnockPacket.seal(
            key: KnockKey(presharedKey: psk), serverPublicKey: server.publicKey, unixTime: now, tunnelPort: 22
        )
        #expect(process(&gate, builder.frame) == .accepted(source: builder.source, requestedPort: 22, openFirewall: true))
    }
}
