import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The small, self-healing pool of tunnel connections to one server.
///
/// Slot i lives on event loop (i + offset) mod N, so the connections to one server spread
/// over all cores. A new stream goes to a live connection on the caller's loop, so the
/// relay never hops threads (a hop costs a wake-up of the other thread on every read, in
/// both directions), unless that one carries `crossLoopPenalty` more streams than another:
/// locality first, balance within a bound. A suspect connection (`TunnelHealth`) gets no
/// new stream. With none live and healthy, the caller waits, for a bounded time, for the
/// first connection to come up or recover.
public final class ServerPool: Sendable {
    public let endpoint: TunnelEndpoint
    private let settings: TunnelClientSettings
    let logger: Logger
    private let state = NIOLockedValueBox(State())
    let slots = NIOLockedValueBox<[PoolSlot]>([])
    /// Set for a pool that starts on first use (`ServerPool+OnDemand`).
    let onDemand = NIOLockedValueBox<OnDemand?>(nil)

    private struct Waiter {
        let id: UInt64
        let promise: EventLoopPromise<TunnelSession>
        let timeout: Scheduled<Void>
    }

    private struct State {
        var live: [ObjectIdentifier: TunnelSession] = [:]
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var lastFailure: String?
        var stopped = false
        /// Bytes of connections that have ended, for status.
        var endedBytesIn: UInt64 = 0
        var endedBytesOut: UInt64 = 0
    }

    public init(endpoint: TunnelEndpoint, settings: TunnelClientSettings, logger: Logger) {
        self.endpoint = endpoint
        self.settings = settings
        self.logger = logger
    }

    /// Starts `endpoint.poolSize` supervised connections on the loops of `group`.
    public func start(group: EventLoopGroup, loopOffset: Int) {
        let created = makeSlots(group: group, loopOffset: loopOffset)
        slots.withLockedValue { $0 = created }
        created.forEach { $0.start() }
    }

    func makeSlots(group: EventLoopGroup, loopOffset: Int) -> [PoolSlot] {
        let loops = Array(group.makeIterator())
        return (0..<max(1, endpoint.poolSize)).map { index in
            PoolSlot(index: index, loop: loops[(index + loopOffset) % loops.count], endpoint: endpoint, settings: settings, pool: self, logger: logger)
        }
    }

    public func stop() {
        let pending = state.withLockedValue { state -> [Waiter] in
            state.stopped = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in pending {
            waiter.timeout.cancel()
            waiter.promise.fail(TunnelError(.noLiveTunnel, "the client is shutting down"))
        }
        onDemand.withLockedValue { $0?.idleCheck?.cancel() }
        slots.withLockedValue { $0 }.forEach { $0.stop() }
    }

    var isStopped: Bool { state.withLockedValue { $0.stopped } }

    /// Streams open on all live connections.
    var openStreams: Int { state.withLockedValue { $0.live.values.reduce(0) { $0 + $1.openStreams } } }

    /// Whether local connections are waiting for a live tunnel.
    var hasWaiters: Bool { state.withLockedValue { !$0.waiters.isEmpty } }

    /// The number of live connections.
    public var liveCount: Int { state.withLockedValue { $0.live.count } }

    /// How recently a connection must have been heard from to take a stream opened again
    /// after its first connection died: the others may share the dead path.
    static let reissueFreshness = TimeAmount.seconds(1)

    /// A live session, preferring one on `loop`; waits up to `wait` for one to come up.
    /// With `heardWithin`, only a session heard from that recently will do. The future
    /// completes on `loop`.
    public func session(preferring loop: EventLoop, wait: TimeAmount, heardWithin: TimeAmount? = nil) -> EventLoopFuture<TunnelSession> {
        noteUse()
        let promise = loop.makePromise(of: TunnelSession.self)
        let waitLimit = wait
        let chosen: TunnelSession? = state.withLockedValue { state in
            guard !state.stopped else { return nil }
            if let session = Self.leastLoaded(state.live.values, preferring: loop, heardWithin: heardWithin) { return session }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            let timeout = loop.scheduleTask(in: waitLimit) { [weak self] () -> Void in
                self?.expireWaiter(id)
            }
            state.waiters.append(Waiter(id: id, promise: promise, timeout: timeout))
            return nil
        }
        if let chosen {
            promise.succeed(chosen)
        } else if state.withLockedValue({ $0.stopped }) {
            promise.fail(TunnelError(.noLiveTunnel, "the client is shutting down"))
        } else {
            // Connections that are only suspect are probed, so the wait ends as soon as
            // one is heard from again, or is found dead and replaced. When all of them are
            // suspect, each slot also makes a replacement beside its own (`PoolSlotMachine`).
            let live = state.withLockedValue { Array($0.live.values) }
            for session in live where session.isActive {
                session.streamWaits()
            }
            let everySuspect = live.allSatisfy { !$0.isActive || $0.health.isSuspect }
            slots.withLockedValue { $0 }.forEach { $0.kick(everyConnectionSuspect: everySuspect) }
        }
        return promise.futureResult
    }

    /// How many times one stream is opened again after its connection died under it.
    static let maximumReissues = 3

    /// Opens a stream on a live session (see `session(preferring:wait:)`). A stream whose
    /// connection died before it was answered, with nothing of the application's sent
    /// (`.streamLostUnanswered`), or before it was even created, is opened again on another
    /// connection, within the same wait.
    /// `answerFirst`: see `TunnelSession.openStream`.
    public func openStream(port: UInt16, preferring loop: EventLoop, wait: TimeAmount, answerFirst: Bool = false) -> EventLoopFuture<OpenedStream> {
        openStream(port: port, preferring: loop, until: .now() + wait, reissues: Self.maximumReissues, answerFirst: answerFirst)
    }

    private func openStream(
        port: UInt16, preferring loop: EventLoop, until deadline: NIODeadline, reissues: Int, answerFirst: Bool
    ) -> EventLoopFuture<OpenedStream> {
        let answerTimeout = settings.streamAnswerTimeout
        // A stream opened again goes only to a connection heard from a moment ago.
        let heardWithin = reissues < Self.maximumReissues ? Self.reissueFreshness : nil
        return session(preferring: loop, wait: deadline - .now(), heardWithin: heardWithin).flatMap { session in
            session.openStream(port: port, answerTimeout: answerTimeout, answerFirst: answerFirst).hop(to: loop)
                .flatMapError { error in
                    let lostUnanswered = (error as? TunnelError)?.kind == .streamLostUnanswered
                    let neverCreated = !(error is TunnelError) && !session.isActive
                    guard lostUnanswered || neverCreated, reissues > 0, NIODeadline.now() < deadline else {
                        return loop.makeFailedFuture(error)
                    }
                    self.logger.info("opening the stream to port \(port) again: \(error)", metadata: ["server": "\(self.endpoint.name)"])
                    return self.openStream(port: port, preferring: loop, until: deadline, reissues: reissues - 1, answerFirst: answerFirst)
                }
        }
    }

    // MARK: called by slots

    func sessionBecameLive(_ session: TunnelSession) {
        state.withLockedValue { state in
            state.live[ObjectIdentifier(session)] = session
            state.lastFailure = nil
        }
        session.health.whenRecovered { [weak self, weak session] in
            guard let self, let session else { return }
            self.serveWaiters(with: session)
        }
        serveWaiters(with: session)
    }

    /// Hands `session` to every waiting caller, if it is still live and healthy.
    private func serveWaiters(with session: TunnelSession) {
        guard session.isActive, !session.health.isSuspect else { return }
        let ready = state.withLockedValue { state -> [Waiter] in
            guard state.live[ObjectIdentifier(session)] != nil else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in ready {
            waiter.timeout.cancel()
            waiter.promise.succeed(session)
        }
    }

    func sessionEnded(_ session: TunnelSession) {
        state.withLockedValue { state in
            guard state.live.removeValue(forKey: ObjectIdentifier(session)) != nil else { return }
            state.endedBytesIn &+= session.health.meter.bytesIn
            state.endedBytesOut &+= session.health.meter.bytesOut
        }
    }

    func recordFailure(_ message: String) {
        state.withLockedValue { $0.lastFailure = message }
    }

    private func expireWaiter(_ id: UInt64) {
        let expired = state.withLockedValue { state -> (Waiter, String?)? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return (state.waiters.remove(at: index), state.lastFailure)
        }
        guard let (waiter, lastFailure) = expired else { return }
        let cause = lastFailure.map { " (last error: \($0))" } ?? ""
        waiter.promise.fail(TunnelError(
            .noLiveTunnel, "no live tunnel to server \(endpoint.name) within \(settings.streamWait.milliseconds) ms\(cause)"
        ))
    }

    /// The pool as `status` shows it.
    public func snapshot(now: NIODeadline = .now()) -> PoolStatus {
        let slotCount = slots.withLockedValue { $0.count }
        return state.withLockedValue { state in
            let live = Array(state.live.values)
            let newest = live.max { $0.health.meter.establishedAt < $1.health.meter.establishedAt }
            let poolState: PoolStatus.State
            if state.stopped {
                poolState = .stopped
            } else if live.contains(where: { $0.isActive && !$0.health.isSuspect }) {
                poolState = .connected
            } else if slotCount == 0 {
                poolState = .idle
            } else {
                poolState = state.lastFailure == nil ? .connecting : .failing
            }
            return PoolStatus(
                name: endpoint.name, address: endpoint.address, state: poolState,
                lastError: poolState == .connected ? nil : state.lastFailure,
                connectionsUp: live.count, connectionsTotal: slotCount,
                openStreams: live.reduce(0) { $0 + $1.openStreams },
                bytesIn: live.reduce(state.endedBytesIn) { $0 &+ $1.health.meter.bytesIn },
                bytesOut: live.reduce(state.endedBytesOut) { $0 &+ $1.health.meter.bytesOut },
                lastHandshakeAgeSeconds: newest.map { Double((now - $0.health.meter.establishedAt).nanoseconds) / 1e9 },
                pingMilliseconds: newest?.health.meter.roundTripTime.map { Double($0.nanoseconds) / 1e6 }
            )
        }
    }

    /// How many more streams a connection on the caller's loop may carry than one elsewhere
    /// before the elsewhere one is chosen.
    static let crossLoopPenalty = 4

    /// The live session to use from `loop` (see the type's comment).
    private static func leastLoaded(
        _ sessions: some Sequence<TunnelSession>, preferring loop: EventLoop, heardWithin: TimeAmount? = nil
    ) -> TunnelSession? {
        let now = NIODeadline.now()
        let live = sessions.filter { session in
            session.isActive && !session.health.isSuspect
                && (heardWithin.map { session.health.heard(within: $0, now: now) } ?? true)
        }
        return preferredIndex(live.map { (openStreams: $0.openStreams, onCallersLoop: $0.eventLoop === loop) }).map { live[$0] }
    }

    /// The choice itself, on plain numbers: the lowest open streams, plus the penalty for
    /// a connection on another loop; ties go to the caller's loop, then to the first.
    static func preferredIndex(_ candidates: [(openStreams: Int, onCallersLoop: Bool)]) -> Int? {
        func rank(_ index: Int) -> (Int, Int) {
            let elsewhere = candidates[index].onCallersLoop ? 0 : 1
            return (candidates[index].openStreams + elsewhere * crossLoopPenalty, elsewhere)
        }
        return candidates.indices.min { rank($0) < rank($1) }
    }

    /// The loops this pool's connections live on, in slot order, without repeats.
    public var slotLoops: [EventLoop] {
        var loops: [EventLoop] = []
        for slot in slots.withLockedValue({ $0 }) where !loops.contains(where: { $0 === slot.loop }) {
            loops.append(slot.loop)
        }
        return loops
    }
}
