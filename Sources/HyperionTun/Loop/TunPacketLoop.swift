#if os(Linux)
import CHyperionLinux
import Glibc
import Synchronization

/// Runs a `TunPacketHandler` on one dedicated thread that owns the device's reads and
/// writes.
///
/// One thread does everything inline (read, rewrite, write) so packets of a flow are never
/// reordered: separate reader and writer queues reordered packets and collapsed congestion
/// windows elsewhere (TUN-NOTES, "Threads"). Other threads reach the handler only through
/// `send`, a bounded mailbox whose eventfd wakes the thread out of poll(2).
///
/// `@unchecked Sendable`: the runner (with the handler) is touched only by the loop's thread
/// once `start()` has handed it over; all other mutable state is behind a `Mutex`.
public final class TunPacketLoop<Handler: TunPacketHandler>: @unchecked Sendable {
    private enum State {
        case idle
        case running(pthread_t)
        case stopped
    }

    public let device: TunDevice
    private let mailbox: TunMailbox<Handler.Command>
    private let wakeup: Int32
    private let published = TunStatisticsBox()
    private let runner: TunLoopRunner<Handler>
    private let state = Mutex(State.idle)

    /// - Parameters:
    ///   - tickInterval: how often `handler.tick` runs (at least 1 ms).
    ///   - mailboxCapacity: commands that may wait; `send` refuses more.
    public init(
        device: TunDevice, handler: Handler, tickInterval: Duration = .milliseconds(100), mailboxCapacity: Int = 4096
    ) throws(TunError) {
        let wakeup = chyperion_eventfd()
        guard wakeup >= 0 else { throw TunError.systemCall("creating an eventfd for the TUN loop", -wakeup) }
        let (seconds, attoseconds) = tickInterval.components
        let mailbox = TunMailbox<Handler.Command>(capacity: max(1, mailboxCapacity))
        self.device = device
        self.mailbox = mailbox
        self.wakeup = wakeup
        self.runner = TunLoopRunner(
            handler: handler, fd: device.fileDescriptor, headerSize: device.headerSize, wakeup: wakeup, mailbox: mailbox,
            published: published,
            tickNanoseconds: UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
        )
    }

    deinit {
        stop()
        close(wakeup)
    }

    /// Starts the thread. Throws if the loop was started before or the thread cannot start.
    public func start() throws(TunError) {
        try state.withLock { (state: inout State) throws(TunError) in
            guard case .idle = state else {
                throw TunError(.invalidState, "a TUN packet loop starts only once")
            }
            state = .running(try TunLoopThread.spawn(TunLoopThread.Body(runner)))
        }
    }

    /// Queues `command` for `handler.handleCommand` and wakes the thread. From any thread.
    /// False when the mailbox is full or the loop is stopping: the caller decides whether to
    /// retry, drop or fail. Commands sent before `start()` wait for it.
    public func send(_ command: Handler.Command) -> Bool {
        guard mailbox.post(command) else { return false }
        _ = chyperion_eventfd_signal(wakeup)
        return true
    }

    /// Lets the thread handle what is already in the mailbox, then ends it and waits for it.
    /// Returns within one packet batch. The device stays open. Safe to call more than once;
    /// not from the handler.
    public func stop() {
        mailbox.close()
        let thread: pthread_t? = state.withLock { state in
            defer { state = .stopped }
            if case .running(let thread) = state { return thread }
            return nil
        }
        guard let thread else { return }
        precondition(pthread_equal(thread, pthread_self()) == 0, "TunPacketLoop.stop() called from its own handler")
        _ = chyperion_eventfd_signal(wakeup)
        pthread_join(thread, nil)
    }

    /// The counters as of the thread's last batch (and the refused `send` calls now).
    public var statistics: TunLoopStatistics {
        var statistics = published.value.withLock { $0 }
        statistics.mailboxFull = mailbox.refusedCount
        return statistics
    }
}

#endif
