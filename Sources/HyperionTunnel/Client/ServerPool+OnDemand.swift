import NIOConcurrencyHelpers
import NIOCore

/// TUN mode's pools: a server's connections are made on its first flow and closed again
/// after a quiet spell, so a config with a thousand servers costs nothing until one is used.
extension ServerPool {
    struct OnDemand {
        let group: EventLoopGroup
        let loopOffset: Int
        /// Nil: once started, the pool stays.
        let idleAfter: TimeAmount?
        var lastUse = NIODeadline.now()
        var idleCheck: RepeatedTask?
    }

    /// Arms the pool to start on its first use (`session(preferring:…)`) and, with
    /// `idleAfter`, to close its connections once no stream is open and nothing asked for
    /// one for that long.
    public func startOnDemand(group: EventLoopGroup, loopOffset: Int, idleAfter: TimeAmount?) {
        onDemand.withLockedValue { $0 = OnDemand(group: group, loopOffset: loopOffset, idleAfter: idleAfter) }
    }

    /// Whether the pool has connections, or is making them.
    public var isStarted: Bool { !slots.withLockedValue { $0 }.isEmpty }

    /// Called on every request for a session: starts an on-demand pool that is not running.
    func noteUse() {
        let start = onDemand.withLockedValue { onDemand -> OnDemand? in
            guard onDemand != nil else { return nil }
            onDemand!.lastUse = .now()
            return onDemand
        }
        guard let start, !isStarted, !isStopped else { return }
        var armed = false
        slots.withLockedValue { slots in
            guard slots.isEmpty else { return }
            slots = makeSlots(group: start.group, loopOffset: start.loopOffset)
            armed = true
        }
        guard armed else { return }
        logger.info("starting the pool on first use", metadata: ["server": "\(endpoint.name)"])
        slots.withLockedValue { $0 }.forEach { $0.start() }
        if let idle = start.idleAfter { scheduleIdleCheck(idle, on: start.group.next()) }
    }

    private func scheduleIdleCheck(_ idle: TimeAmount, on loop: EventLoop) {
        let interval = max(TimeAmount.seconds(1), TimeAmount.nanoseconds(idle.nanoseconds / 4))
        let task = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] task in
            guard let self else { return task.cancel() }
            if self.closeIfIdle(idle) { task.cancel() }
        }
        onDemand.withLockedValue { $0?.idleCheck = task }
    }

    /// Closes the connections when nothing used the pool for `idle`; returns whether it did.
    private func closeIfIdle(_ idle: TimeAmount) -> Bool {
        let quietSince = onDemand.withLockedValue { $0?.lastUse } ?? .now()
        guard NIODeadline.now() - quietSince >= idle, openStreams == 0, !hasWaiters else { return false }
        let closing = slots.withLockedValue { slots -> [PoolSlot] in
            defer { slots = [] }
            return slots
        }
        guard !closing.isEmpty else { return true }
        logger.info("closing the pool: no flow for \(idle.nanoseconds / 1_000_000_000) s", metadata: ["server": "\(endpoint.name)"])
        closing.forEach { $0.stop() }
        return true
    }
}
