#if os(Linux)
import Glibc
import Logging

/// The body of the sniffer thread. Owns the processor and the one receive buffer.
struct SnifferLoop: Sendable {
    /// 64 KiB: the largest frame a 64 KiB MTU carries; larger ones are refused as truncated.
    static let bufferSize = 64 << 10
    /// Frames handled per wakeup before checking for `stop()` and the summary again.
    static let batchLimit = 512

    let socket: PacketSocket
    let wakeup: Int32
    var processor: KnockProcessor
    let firewall: NftablesFirewall
    let logger: Logger
    let statistics: StatisticsBox

    func run() {
        var state = self
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        state.loop(buffer)
    }

    private mutating func loop(_ buffer: UnsafeMutableRawBufferPointer) {
        var descriptors = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
        while true {
            let now = MonotonicClock.nanoseconds()
            summarize(now: now)
            let wait = Int32(min(1000, processor.tally.nanosecondsUntilSummary(now: now) / 1_000_000 + 1))
            let ready = poll(&descriptors, 2, wait)
            if ready < 0 {
                if errno != EINTR { pause(after: "poll", Errno(code: errno)) }
                continue
            }
            if descriptors[1].revents != 0 { return }
            if descriptors[0].revents & Int16(POLLNVAL) != 0 {
                logger.error("the knock socket was closed under the sniffer; SPA stops")
                return
            }
            if descriptors[0].revents != 0 { receiveBatch(buffer) }
        }
    }

    private mutating func receiveBatch(_ buffer: UnsafeMutableRawBufferPointer) {
        var delta = SPAStatistics()
        for _ in 0..<Self.batchLimit {
            guard let received = socket.receive(into: buffer) else { break }
            switch received {
            case .failure(let error):
                pause(after: "recvfrom", error)
                return
            case .success(let frame):
                let captured = UnsafeRawBufferPointer(rebasing: buffer[0..<min(frame.length, buffer.count)])
                let decision = processor.process(
                    frame: captured, frameLength: frame.length, packetType: frame.packetType, hardwareType: frame.hardwareType
                )
                act(on: decision, counting: &delta)
            }
        }
        let totals = processor.tally.totalsByReason
        statistics.update { stats in
            stats.framesReceived += delta.framesReceived
            stats.knocksAccepted += delta.knocksAccepted
            stats.firewallAdds += delta.firewallAdds
            stats.firewallFailures += delta.firewallFailures
            stats.cooldownSkips += delta.cooldownSkips
            stats.rejections = Dictionary(uniqueKeysWithValues: totals.map { ($0.key.description, $0.value) })
        }
    }

    private func act(on decision: KnockDecision, counting delta: inout SPAStatistics) {
        switch decision {
        case .ignoredOutgoing:
            return
        case .rejected:
            delta.framesReceived += 1
        case .accepted(let source, let requestedPort, let openFirewall):
            delta.framesReceived += 1
            delta.knocksAccepted += 1
            var metadata: Logger.Metadata = ["source": "\(source)"]
            if requestedPort != firewall.tunnelPort { metadata["requested_port"] = "\(requestedPort)" }
            guard openFirewall else {
                delta.cooldownSkips += 1
                logger.info("knock accepted; source in cooldown, its set element is still live", metadata: metadata)
                return
            }
            do {
                try firewall.allow(source)
                delta.firewallAdds += 1
                metadata["set"] = "\(firewall.commands.setName(for: source))"
                metadata["timeout"] = "\(firewall.elementTimeoutSeconds)s"
                logger.info("knock accepted; tunnel port opened for the source", metadata: metadata)
            } catch {
                delta.firewallFailures += 1
                logger.error("knock accepted but the firewall refused: \(error)", metadata: metadata)
            }
        }
    }

    private mutating func summarize(now: UInt64) {
        let drops = socket.takeDrops()
        if drops > 0 {
            processor.recordKernelDrops(drops)
            statistics.update { $0.kernelDrops += drops }
        }
        if let line = processor.summaryIfDue(monotonicNow: now) { logger.notice("\(line)") }
    }

    /// An unexpected socket error: log it and back off briefly instead of spinning.
    private func pause(after call: String, _ error: Errno) {
        logger.error("knock sniffer: \(call) failed: \(error); retrying")
        usleep(100_000)
    }
}
#endif
