import Testing
@testable import HyperionSPA

@Suite struct KnockCooldownTests {
    let alice = IPAddress(v4: 198, 51, 100, 1)
    let bob = IPAddress(v4: 198, 51, 100, 2)
    let carol = IPAddress(v4: 198, 51, 100, 3)

    /// Feeds (source, time) pairs in order and returns the verdicts.
    func verdicts(_ cooldown: inout KnockCooldown, _ knocks: [(IPAddress, UInt64)]) -> [Bool] {
        knocks.map { cooldown.admit($0.0, now: $0.1) }
    }

    @Test func oncePerSourcePerCooldown() {
        var cooldown = KnockCooldown(cooldownSeconds: 10)
        let result = verdicts(&cooldown, [(alice, 1000), (alice, 1000), (alice, 1009), (bob, 1009), (alice, 1010), (alice, 1019)])
        #expect(result == [true, false, false, true, true, false])
    }

    @Test func zeroCooldownAdmitsEveryKnock() {
        var cooldown = KnockCooldown(cooldownSeconds: 0)
        #expect(verdicts(&cooldown, [(alice, 5), (alice, 5)]) == [true, true])
    }

    @Test func aClockSteppedBackDoesNotLockOut() {
        var cooldown = KnockCooldown(cooldownSeconds: 10)
        #expect(verdicts(&cooldown, [(alice, 5000), (alice, 1000), (alice, 1001)]) == [true, true, false])
    }

    @Test func memoryIsBoundedAndTheOldestGoesFirst() {
        var cooldown = KnockCooldown(cooldownSeconds: 100, capacity: 3)
        let sources = (1...4).map { IPAddress(v4: 10, 0, 0, UInt8($0)) }
        #expect(verdicts(&cooldown, [(sources[0], 10), (sources[1], 11), (sources[2], 12)]) == [true, true, true])
        #expect(cooldown.count == 3)
        #expect(verdicts(&cooldown, [(sources[3], 20)]) == [true])
        #expect(cooldown.count == 3)
        // The oldest (10.0.0.1) was evicted, so it may knock again; 10.0.0.3 may not.
        #expect(verdicts(&cooldown, [(sources[0], 21), (sources[2], 21)]) == [true, false])
    }

    @Test func expiredEntriesAreDroppedBeforeEvictingLiveOnes() {
        var cooldown = KnockCooldown(cooldownSeconds: 10, capacity: 2)
        // At 111 alice (100) has expired and makes room; bob (105) stays in his cooldown.
        #expect(verdicts(&cooldown, [(alice, 100), (bob, 105), (carol, 111), (bob, 111)]) == [true, true, true, false])
        #expect(cooldown.count == 2)
    }

    @Test func manySourcesStayWithinTheDefaultCapacity() {
        var cooldown = KnockCooldown(cooldownSeconds: 60)
        let sources = (0..<5000).map { IPAddress(v4: 10, 0, UInt8($0 >> 8 & 0xFF), UInt8($0 & 0xFF)) }
        #expect(verdicts(&cooldown, sources.map { ($0, 1000) }).allSatisfy { $0 })
        #expect(cooldown.count == KnockCooldown.defaultCapacity)
    }
}
