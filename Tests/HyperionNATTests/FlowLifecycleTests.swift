import HyperionNAT
import Testing

/// States, bounds and timeouts of the table, driven by an injected clock.
@Suite struct FlowLifecycleTests {
    @Test func fullTableRefusesWithRSTAndEvictsNobody() throws {
        var nat = Fixture.translator(ports: 30000...30009, maximumFlows: 3)
        var handles: [FlowHandle] = []
        for port in UInt16(40001)...40003 {
            let handle = nat.establish(Fixture.app(sourcePort: port))
            handles.append(try #require(handle))
        }
        var syn = Fixture.app(sourcePort: 40004)
        syn.sequence = 41
        var packet = syn.bytes()
        let rstResult = nat.run(&packet)
        let rst = try #require(rstResult.replyPacket)
        let fields = PacketFields(rst)
        #expect(fields.flags == TestPacket.rst | TestPacket.ack)
        #expect(fields.acknowledgment == 42)
        #expect(fields.destinationPort == 40004)
        expectValidTCP(rst)
        #expect(nat.statistics.refusedTableFull == 1)
        for handle in handles {
            #expect(nat.state(handle) == .established, "no live flow was evicted")
            var reply = Fixture.listener(natPort: handle.natPort, flags: TestPacket.ack).bytes()
            #expect(nat.run(&reply).isRewritten)
        }
    }

    @Test func runningOutOfPortsRefusesAndNeverWrapsOntoALiveFlow() throws {
        var nat = Fixture.translator(ports: 30000...30001, maximumFlows: 100)
        let firstResult = nat.establish(Fixture.app(sourcePort: 40001))
        let first = try #require(firstResult)
        let secondResult = nat.establish(Fixture.app(sourcePort: 40002))
        let second = try #require(secondResult)
        var third = Fixture.app(sourcePort: 40003).bytes()
        #expect(nat.run(&third).replyPacket != nil)
        #expect(nat.flow(first)?.source.port == 40001)
        #expect(nat.flow(second)?.source.port == 40002)
        #expect(nat.statistics.refusedTableFull == 1)
    }

    @Test func aFreedPortIsReusedLast() throws {
        var nat = Fixture.translator(ports: 30000...30003)
        var request: [FlowRequest] = []
        for port in UInt16(40001)...40002 {
            var packet = Fixture.app(sourcePort: port).bytes()
            let verdict = nat.run(&packet)
            request.append(try #require(verdict.heldRequest))
        }
        #expect(request.map(\.handle.natPort) == [30000, 30001])
        _ = nat.refuse(request[0].handle)  // 30000 goes to the back: 30002, 30003, 30000
        var next: [UInt16] = []
        for port in UInt16(40003)...40005 {
            var packet = Fixture.app(sourcePort: port).bytes()
            let verdict = nat.run(&packet)
            next.append(try #require(verdict.heldRequest).handle.natPort)
        }
        #expect(next == [30002, 30003, 30000])
    }

    @Test func pendingFlowExpires() throws {
        var nat = Fixture.translator()
        var packet = Fixture.app().bytes()
        let requestResult = nat.run(&packet, at: Fixture.at(0))
        let request = try #require(requestResult.heldRequest)
        #expect(nat.expire(now: Fixture.at(9.9)).isEmpty)
        #expect(nat.expire(now: Fixture.at(10)) == [request.handle])
        #expect(nat.state(request.handle) == nil)
        #expect(nat.admit(request.handle, now: Fixture.at(10)) == nil)
        #expect(nat.statistics.expiredPending == 1)
        // The next SYN of the same connection starts over.
        var again = Fixture.app().bytes()
        #expect(nat.run(&again, at: Fixture.at(11)).heldRequest != nil)
    }

    @Test func admittedFlowWithoutAcceptExpires() throws {
        var nat = Fixture.translator()
        var packet = Fixture.app().bytes()
        let requestResult = nat.run(&packet, at: Fixture.at(0))
        let request = try #require(requestResult.heldRequest)
        _ = nat.admit(request.handle, now: Fixture.at(8))  // the pending deadline no longer applies
        #expect(nat.expire(now: Fixture.at(12.9)).isEmpty)
        #expect(nat.state(request.handle) == .admitted)
        #expect(nat.expire(now: Fixture.at(13)) == [request.handle])
        #expect(nat.accepted(request.handle, now: Fixture.at(13)) == false)
        #expect(nat.statistics.expiredAdmitted == 1)
    }

    @Test func establishedFlowNeverExpires() throws {
        var nat = Fixture.translator()
        let handleResult = nat.establish(Fixture.app())
        let handle = try #require(handleResult)
        #expect(nat.expire(now: Fixture.at(1_000_000)).isEmpty)
        #expect(nat.state(handle) == .established)
    }

    @Test func closedFlowKeepsTranslatingForTheHoldThenIsFreed() throws {
        var nat = Fixture.translator(ports: 30000...30001)
        let handleResult = nat.establish(Fixture.app(sourcePort: 40001), at: Fixture.at(0))
        let handle = try #require(handleResult)
        #expect(nat.closed(handle, now: Fixture.at(5)) == true)
        #expect(nat.closed(handle, now: Fixture.at(50)) == false, "a second close keeps the first deadline")
        #expect(nat.state(handle) == .closing)
        var finAck = Fixture.app(sourcePort: 40001, flags: TestPacket.fin | TestPacket.ack).bytes()
        #expect(nat.run(&finAck, at: Fixture.at(6)).isRewritten)
        var lastAck = Fixture.listener(natPort: handle.natPort, flags: TestPacket.ack).bytes()
        #expect(nat.run(&lastAck, at: Fixture.at(6)).isRewritten)

        #expect(nat.expire(now: Fixture.at(124.9)).isEmpty)
        #expect(nat.state(handle) == .closing)
        #expect(nat.expire(now: Fixture.at(125)).isEmpty, "a closing flow is freed silently")
        #expect(nat.state(handle) == nil)
        #expect(nat.statistics.releasedAfterHold == 1)
        var stray = Fixture.listener(natPort: handle.natPort, flags: TestPacket.ack).bytes()
        #expect(nat.run(&stray, at: Fixture.at(126)).droppedReason == .unknownReply)
    }

    @Test func aNewSYNOnAClosingConnectionIsANewFlowAndTheOldPortKeepsItsHold() throws {
        var nat = Fixture.translator(ports: 30000...30009)
        let oldResult = nat.establish(Fixture.app(sourcePort: 40001), at: Fixture.at(0))
        let old = try #require(oldResult)
        nat.closed(old, now: Fixture.at(1))
        var syn = Fixture.app(sourcePort: 40001).bytes()
        let requestResult = nat.run(&syn, at: Fixture.at(2))
        let request = try #require(requestResult.heldRequest)
        #expect(request.handle != old)
        #expect(nat.state(old) == .closing)
        var oldReply = Fixture.listener(natPort: old.natPort, flags: TestPacket.ack).bytes()
        #expect(nat.run(&oldReply, at: Fixture.at(3)).isRewritten)

        _ = nat.admit(request.handle, now: Fixture.at(3))
        nat.accepted(request.handle, now: Fixture.at(3))
        _ = nat.expire(now: Fixture.at(200))
        #expect(nat.state(old) == nil)
        // Freeing the old entry did not take the connection's key from the new one.
        var data = Fixture.app(sourcePort: 40001, flags: TestPacket.ack).bytes()
        #expect(nat.run(&data, at: Fixture.at(201)).isRewritten)
        #expect(PacketFields(data).sourcePort == request.handle.natPort)
    }

    @Test func retransmittedSYNWhilePendingIsDroppedAndTheLatestCopyInjected() throws {
        var nat = Fixture.translator()
        var first = Fixture.app()
        first.options = [2, 4, 0x05, 0xB4, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0]
        var packet = first.bytes()
        let requestResult = nat.run(&packet, at: Fixture.at(0))
        let request = try #require(requestResult.heldRequest)
        var retransmit = first
        retransmit.options = [2, 4, 0x05, 0xB4, 8, 10, 0, 0, 0x03, 0xE9, 0, 0, 0, 0]  // a later timestamp
        var again = retransmit.bytes()
        #expect(nat.run(&again, at: Fixture.at(1)).droppedReason == .synRetransmitWhilePending)
        var ack = Fixture.app(flags: TestPacket.ack).bytes()
        #expect(nat.run(&ack, at: Fixture.at(1)).droppedReason == .pendingFlow)

        let injectedResult = nat.admit(request.handle, now: Fixture.at(2))
        let injected = try #require(injectedResult)
        #expect(Array(injected[(20 + 20)...]) == Array(retransmit.bytes()[(20 + 20)...]), "the retransmit's options")
        expectValidTCP(injected)
        #expect(nat.statistics.skipped[.synRetransmitWhilePending] == 1)
        #expect(nat.statistics.flowsOpened == 1)
    }

    @Test func anOversizedSYNIsNotHeld() {
        var nat = Fixture.translator()
        var syn = Fixture.app()
        syn.payload = [UInt8](repeating: 1, count: 300)
        var packet = syn.bytes()
        #expect(nat.run(&packet).droppedReason == .oversizedSYN)
        #expect(nat.statistics.liveFlows == 0)
    }

    @Test func statisticsCountFlowsByState() throws {
        var nat = Fixture.translator()
        var pending = Fixture.app(sourcePort: 40001).bytes()
        _ = nat.run(&pending)
        var admitted = Fixture.app(sourcePort: 40002).bytes()
        let requestResult = nat.run(&admitted)
        let request = try #require(requestResult.heldRequest)
        _ = nat.admit(request.handle, now: Fixture.start)
        _ = nat.establish(Fixture.app(sourcePort: 40003))
        let closingResult = nat.establish(Fixture.app(sourcePort: 40004))
        let closing = try #require(closingResult)
        nat.closed(closing, now: Fixture.start)
        let statistics = nat.statistics
        #expect([statistics.pendingFlows, statistics.admittedFlows, statistics.establishedFlows, statistics.closingFlows] == [1, 1, 1, 1])
        #expect(statistics.flowsOpened == 4)
        #expect(statistics.flowsAdmitted == 3)
    }
}
