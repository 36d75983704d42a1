#if os(Linux)
import Synchronization

/// The bounded queue from any thread to the loop's thread: senders append under a mutex,
/// the loop takes everything queued at once (so it holds the lock only for a swap).
final class TunMailbox<Command: Sendable>: Sendable {
    private struct State {
        var commands: [Command] = []
        var stopping = false
        var refused: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0, "a mailbox needs room for at least one command")
        self.capacity = capacity
    }

    /// Queues `command`; false when full or stopping. The caller wakes the loop on true.
    func post(_ command: Command) -> Bool {
        state.withLock { state in
            guard !state.stopping, state.commands.count < capacity else {
                state.refused += 1
                return false
            }
            state.commands.append(command)
            return true
        }
    }

    /// Everything queued, oldest first, and whether the loop should stop after handling it.
    func take() -> (commands: [Command], stopping: Bool) {
        state.withLock { state in
            var taken: [Command] = []
            swap(&taken, &state.commands)
            state.commands.reserveCapacity(min(capacity, 64))
            return (taken, state.stopping)
        }
    }

    /// Refuses every later `post`; the loop stops at its next `take`.
    func close() {
        state.withLock { $0.stopping = true }
    }

    /// How many `post` calls were refused.
    var refusedCount: UInt64 { state.withLock { $0.refused } }
}
#endif
