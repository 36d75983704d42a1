import NIOCore
import Testing
@testable import HyperionWire

/// When a sending key is retired: by count after each sealed frame, by age when the
/// sender writes, with the clock passed in.
@Suite struct RekeyScheduleTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
    let policy = RekeyPolicy(framesPerKey: 4, keyLifetime: .minutes(10))

    /// With 4 frames per key, 3 data frames, then the marker as the key's fourth.
    @Test func countTriggerMakesTheMarkerTheKeysLastFrame() {
        var schedule = RekeySchedule(policy: policy, framesSealed: 0, keySince: start, markerAtOnce: false)
        for round in 0..<100 {
            #expect(schedule.frameSealed() == false, "round \(round)")
            #expect(schedule.frameSealed() == false, "round \(round)")
            #expect(schedule.frameSealed() == true, "round \(round): the marker follows the third frame")
            schedule.markerSealed()
        }
        #expect(schedule.markersSealed == 100)
    }

    @Test func framesBeforeTheStartCount() {
        // The first key sealed frames while the peers were still agreeing.
        var schedule = RekeySchedule(policy: policy, framesSealed: 10, keySince: start, markerAtOnce: false)
        #expect(schedule.writing(at: start) == true)
        schedule.markerSealed()
        #expect(schedule.writing(at: start) == false)
        #expect(schedule.frameSealed() == false)
    }

    @Test func timeTriggerFiresAtTheFirstWriteAfterTheLifetime() {
        var schedule = RekeySchedule(policy: policy, framesSealed: 0, keySince: start, markerAtOnce: false)
        #expect(schedule.writing(at: start + .minutes(5)) == false)
        #expect(schedule.writing(at: start + .minutes(10) - .nanoseconds(1)) == false)
        #expect(schedule.writing(at: start + .minutes(10)) == true)
        // Still due until the marker is sealed, also at a frame boundary.
        #expect(schedule.frameSealed() == true)
        schedule.markerSealed()
        // The new key dates from that write.
        #expect(schedule.writing(at: start + .minutes(19)) == false)
        #expect(schedule.writing(at: start + .minutes(20)) == true)
        schedule.markerSealed()
        #expect(schedule.markersSealed == 2)
    }

    @Test func aMarkerByCountRestartsTheClockToo() {
        var schedule = RekeySchedule(policy: policy, framesSealed: 0, keySince: start, markerAtOnce: false)
        #expect(schedule.writing(at: start + .minutes(9)) == false)
        _ = schedule.frameSealed()
        _ = schedule.frameSealed()
        #expect(schedule.frameSealed() == true)
        schedule.markerSealed()
        // The key made by that marker dates from the last write seen (9 minutes).
        #expect(schedule.writing(at: start + .minutes(18)) == false)
        #expect(schedule.writing(at: start + .minutes(19)) == true)
    }

    @Test func markerAtOnceComesBeforeAnything() {
        var schedule = RekeySchedule(policy: .standard, framesSealed: 0, keySince: start, markerAtOnce: true)
        #expect(schedule.writing(at: start) == true)
        schedule.markerSealed()
        #expect(schedule.writing(at: start) == false)
        #expect(schedule.frameSealed() == false)
    }

    @Test func standardPolicyIsIssue20s() {
        var schedule = RekeySchedule(policy: .standard, framesSealed: 0, keySince: start, markerAtOnce: false)
        for _ in 0..<((1 << 20) - 2) {
            if schedule.frameSealed() { Issue.record("a marker before 2^20 - 1 frames"); return }
        }
        #expect(schedule.frameSealed() == true, "the marker is the key's 2^20th frame")
        #expect(RekeyPolicy.standard.keyLifetime == .minutes(10))
    }
}
