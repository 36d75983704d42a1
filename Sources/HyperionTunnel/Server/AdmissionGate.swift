import HyperionWire
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The server's `AdmissionMachine` and `RefusalTally` behind one lock, shared by the
/// connections of every event loop, with the repeating task that logs the summary.
final class AdmissionGate: Sendable {
    private struct State {
        var machine: AdmissionMachine
        var tally: RefusalTally<ConnectionRefusal>
    }

    private let state: NIOLockedValueBox<State>
    private let summaryTask = NIOLockedValueBox<RepeatedTask?>(nil)

    init(limits: AdmissionLimits, summaryInterval: TimeAmount = .seconds(10)) {
        let tally = RefusalTally<ConnectionRefusal>(
            counting: "connection", intervalNanoseconds: UInt64(summaryInterval.nanoseconds),
            now: NIODeadline.now().uptimeNanoseconds)
        state = NIOLockedValueBox(State(machine: AdmissionMachine(limits: limits), tally: tally))
    }

    /// Admits a new connection from `address`, or counts the refusal and returns nil.
    func admit(from address: SocketAddress?) -> AdmissionTicket? {
        let source = SourceKey(address)
        return state.withLockedValue { state in
            switch state.machine.admit(from: source, now: .now()) {
            case let .admit(ticket):
                return ticket
            case let .refuse(reason):
                state.tally.record(reason)
                return nil
            }
        }
    }

    /// The connection proved itself: nil when it is now an admin's, else why it must be
    /// closed (counted when it closes).
    func proven(_ ticket: AdmissionTicket) -> ConnectionRefusal? {
        state.withLockedValue { state in
            switch state.machine.proven(ticket, now: .now()) {
            case .authenticated: nil
            case let .refuse(reason): reason
            }
        }
    }

    /// An admitted connection closed. `refusal` says why, when it never became an admin's.
    func closed(_ ticket: AdmissionTicket, wasAuthenticated: Bool, refusal: ConnectionRefusal?) {
        state.withLockedValue { state in
            state.machine.closed(ticket, wasAuthenticated: wasAuthenticated)
            if let refusal { state.tally.record(refusal) }
        }
    }

    /// Logs the summary once per interval while the server runs.
    func startSummaries(on loop: EventLoop, logger: Logger) {
        let interval = TimeAmount.nanoseconds(Int64(state.withLockedValue { $0.tally.intervalNanoseconds }))
        let task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [state] _ in
            if let line = state.withLockedValue({ $0.tally.summaryIfDue(now: NIODeadline.now().uptimeNanoseconds) }) { logger.notice("\(line)") }
        }
        summaryTask.withLockedValue { $0 = task }
    }

    /// Stops the summaries and logs what was counted since the last one.
    func stopSummaries(logger: Logger) {
        summaryTask.withLockedValue { $0?.cancel(); $0 = nil }
        if let line = state.withLockedValue({ $0.tally.takeSummary() }) { logger.notice("\(line)") }
    }
}
