#if os(Linux)
import Glibc
import Synchronization

/// The body of the packet thread: poll(2) on the device and the eventfd; read packets until
/// EAGAIN (at most `batchLimit` before the mailbox gets a look), each checked against its IP
/// length and handed to the handler, which writes inline; commands and ticks in between.
final class TunLoopRunner<Handler: TunPacketHandler>: TunLoopBody {
    /// Packets read per wakeup before the mailbox and the tick are checked again.
    static var batchLimit: Int { 256 }

    private let handler: Handler
    private let io: TunLoopIO
    private let wakeup: Int32
    private let mailbox: TunMailbox<Handler.Command>
    private let published: TunStatisticsBox
    private let tickNanoseconds: UInt64

    init(
        handler: Handler, fd: Int32, headerSize: Int, wakeup: Int32, mailbox: TunMailbox<Handler.Command>,
        published: TunStatisticsBox, tickNanoseconds: UInt64
    ) {
        self.handler = handler
        self.io = TunLoopIO(fd: fd, headerSize: headerSize)
        self.wakeup = wakeup
        self.mailbox = mailbox
        self.published = published
        self.tickNanoseconds = max(1_000_000, tickNanoseconds)
    }

    func run() {
        var descriptors = [pollfd(fd: io.fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
        var nextTick = TunMonotonicClock.nanoseconds() + tickNanoseconds
        // Commands sent before start() are waiting without a wakeup of their own.
        if !handleMailbox() { return publish() }
        while true {
            let now = TunMonotonicClock.nanoseconds()
            if now >= nextTick {
                handler.tick(out: TunWriter(io: io))
                nextTick = now + tickNanoseconds
            }
            publish()
            let timeout = Int32((nextTick - min(nextTick, TunMonotonicClock.nanoseconds()) + 999_999) / 1_000_000)
            let ready = poll(&descriptors, 2, max(1, timeout))
            if ready < 0 {
                if errno != EINTR { usleep(10_000) }
                continue
            }
            if descriptors[1].revents != 0 {
                drainWakeup()
                if !handleMailbox() { return publish() }
            }
            let events = descriptors[0].revents
            if events & Int16(POLLIN) != 0 { readBatch() }
            // The descriptor was closed under the loop (POLLNVAL) or the device is gone.
            if events & Int16(POLLNVAL | POLLERR | POLLHUP) != 0 { return publish() }
        }
    }

    private func readBatch() {
        for _ in 0..<Self.batchLimit {
            switch io.readOne() {
            case .empty:
                return
            case .failed:
                io.counters.readErrors += 1
                return
            case .packet(let length):
                handleRead(length: length)
            }
        }
    }

    private func handleRead(length: Int) {
        let area = io.packetArea
        guard length >= 0, length <= area.count, IPPacketLength.isComplete(UnsafeRawBufferPointer(rebasing: area[..<length])) else {
            io.counters.lengthMismatchDrops += 1
            return
        }
        io.counters.packetsRead += 1
        let header = io.headerSize > 0 ? TunOffloadHeader(UnsafeRawBufferPointer(io.buffer)) : nil
        io.currentLength = length
        defer { io.currentLength = nil }
        handler.handlePacket(UnsafeMutableRawBufferPointer(rebasing: area[..<length]), header: header, out: TunWriter(io: io))
    }

    /// Hands every queued command to the handler; false when the loop should stop.
    private func handleMailbox() -> Bool {
        let (commands, stopping) = mailbox.take()
        for command in commands {
            io.counters.commandsHandled += 1
            handler.handleCommand(command, out: TunWriter(io: io))
        }
        return !stopping
    }

    private func drainWakeup() {
        var counter: UInt64 = 0
        _ = read(wakeup, &counter, MemoryLayout<UInt64>.size)
    }

    private func publish() {
        let counters = io.counters
        published.value.withLock { $0 = counters }
    }
}
#endif
