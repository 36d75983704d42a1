import Testing
@testable import HyperionTunnel

/// Which tunnel connection a new stream goes to: the one on the caller's loop (no thread
/// hop for the relay), unless it carries `crossLoopPenalty` more streams than another.
@Suite struct ServerPoolChoiceTests {
    let penalty = ServerPool.crossLoopPenalty

    @Test func prefersTheCallersLoopEvenWhenItCarriesSomeMoreStreams() {
        #expect(ServerPool.preferredIndex([(openStreams: 0, onCallersLoop: false), (openStreams: 0, onCallersLoop: true)]) == 1)
        #expect(ServerPool.preferredIndex([(openStreams: 0, onCallersLoop: false), (openStreams: penalty - 1, onCallersLoop: true)]) == 1)
        // Equal once the penalty is counted: still the caller's loop.
        #expect(ServerPool.preferredIndex([(openStreams: 0, onCallersLoop: false), (openStreams: penalty, onCallersLoop: true)]) == 1)
    }

    @Test func balancesOnceTheImbalanceExceedsThePenalty() {
        #expect(ServerPool.preferredIndex([(openStreams: 0, onCallersLoop: false), (openStreams: penalty + 1, onCallersLoop: true)]) == 0)
    }

    @Test func amongConnectionsOnOneLoopTakesTheLeastLoaded() {
        #expect(ServerPool.preferredIndex([(openStreams: 3, onCallersLoop: true), (openStreams: 1, onCallersLoop: true), (openStreams: 0, onCallersLoop: false)]) == 1)
        #expect(ServerPool.preferredIndex([(openStreams: 5, onCallersLoop: false), (openStreams: 2, onCallersLoop: false)]) == 1)
    }

    @Test func noneLiveIsNoChoice() {
        #expect(ServerPool.preferredIndex([]) == nil)
    }
}
