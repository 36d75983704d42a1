import Synchronization

/// What a second SIGINT or SIGTERM does to a drain in progress: `cut()` ends it early,
/// once; `finish()` says the drain is over. Whichever comes first wins, under one lock, so
/// the cut never runs once `finish()` has returned (when the event loops it would use may
/// already be shut down).
public final class DrainCut: Sendable {
    private struct Actions {
        let cut: @Sendable () -> Void
        let finished: @Sendable () -> Void
    }

    private let actions: Mutex<Actions?>

    /// `cut` ends the drain now; `finished` runs instead when the drain ends without a cut
    /// (for example, to complete a promise that would otherwise leak).
    public init(cut: @escaping @Sendable () -> Void, finished: @escaping @Sendable () -> Void) {
        actions = Mutex(Actions(cut: cut, finished: finished))
    }

    /// Ends the drain early; false when it is already over or already cut.
    @discardableResult
    public func cut() -> Bool {
        actions.withLock { actions in
            guard let pending = actions else { return false }
            actions = nil
            pending.cut()
            return true
        }
    }

    /// The drain is over: a later `cut()` does nothing.
    public func finish() {
        actions.withLock { actions in
            actions?.finished()
            actions = nil
        }
    }
}

/// Completes a drain's cut-short promise that no second signal fulfilled.
public struct DrainOver: Error {
    public init() {}
}
