#if os(Linux)
import CHyperionLinux
import Foundation
@testable import HyperionTun
import Testing

/// The loop's body on a datagram socket pair instead of a TUN (no root needed): one
/// datagram is one "packet" with its virtio header, as on the device.
@Suite struct TunLoopRunnerTests {
    /// A runner on one end of an AF_UNIX datagram pair; the test plays the kernel on the other.
    final class Harness {
        let handler: RecordingHandler
        let mailbox = TunMailbox<RecordingHandler.Command>(capacity: 16)
        let published = TunStatisticsBox()
        let kernel: Int32
        let loopEnd: Int32
        let wakeup = chyperion_eventfd()
        let thread: pthread_t

        init(headerSize: Int, handler: RecordingHandler) throws {
            self.handler = handler
            var pair: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &pair) == 0 else {
                throw TunError(.systemCallFailed, "socketpair")
            }
            (loopEnd, kernel) = (pair[0], pair[1])
            var time = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(kernel, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
            let flags = fcntl(kernel, F_GETFL)
            _ = fcntl(kernel, F_SETFL, flags & ~O_NONBLOCK)
            let runner = TunLoopRunner(
                handler: handler, fd: loopEnd, headerSize: headerSize, wakeup: wakeup, mailbox: mailbox,
                published: published, tickNanoseconds: 1_000_000_000
            )
            thread = try TunLoopThread.spawn(TunLoopThread.Body(runner))
        }

        func stop() {
            mailbox.close()
            _ = chyperion_eventfd_signal(wakeup)
            pthread_join(thread, nil)
            close(kernel)
            close(loopEnd)
            close(wakeup)
        }

        func inject(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { send(kernel, $0.baseAddress, $0.count, 0) }
        }

        /// The next datagram the loop wrote, or nil after 2 s.
        func written() -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 70000)
            let count = buffer.withUnsafeMutableBytes { recv(kernel, $0.baseAddress, $0.count, 0) }
            return count < 0 ? nil : Array(buffer[..<count])
        }

        var statistics: TunLoopStatistics { published.value.withLock { $0 } }
    }

    static let v4a: [UInt8] = [10, 0, 0, 1]
    static let v4b: [UInt8] = [10, 0, 0, 2]

    @Test func aGSOPacketIsWrittenBackWithTheHeaderItCameWith() throws {
        let harness = try Harness(headerSize: TunOffloadHeader.size, handler: RecordingHandler(watchedPort: 7, echoPort: 7))
        defer { harness.stop() }
        let header: [UInt8] = [0x01, 0x01, 48, 0, 0xA8, 0x05, 20, 0, 6, 0]
        let packet = UDPPacket(source: Self.v4a, destination: Self.v4b, sourcePort: 9, destinationPort: 7, payload: [1, 2, 3]).bytes
        harness.inject(header + packet)

        let echoed = try #require(harness.written())
        #expect(Array(echoed.prefix(10)) == header, "the virtio header changed")
        let back = try #require(UDPPacket(parsing: Array(echoed.dropFirst(10))))
        #expect(back == UDPPacket(source: Self.v4b, destination: Self.v4a, sourcePort: 7, destinationPort: 9, payload: [1, 2, 3]))
        let seen = try #require(harness.handler.seen.withLock { $0.first })
        #expect(seen.header == TunOffloadHeader(
            flags: .needsChecksum, gsoType: .tcpv4, headerLength: 48, gsoSize: 1448, checksumStart: 20, checksumOffset: 6
        ))
        #expect(seen.packet == packet)
    }

    @Test func aNewPacketGoesOutBehindAPlainHeaderInOneDatagram() throws {
        let harness = try Harness(headerSize: TunOffloadHeader.size, handler: RecordingHandler())
        defer { harness.stop() }
        let packet = UDPPacket(source: Self.v4a, destination: Self.v4b, sourcePort: 1, destinationPort: 2, payload: [9]).bytes
        #expect(harness.mailbox.post(.write(packet)))
        _ = chyperion_eventfd_signal(harness.wakeup)
        #expect(harness.written() == [UInt8](repeating: 0, count: 10) + packet)
    }

    @Test func withoutOffloadPacketsHaveNoHeader() throws {
        let harness = try Harness(headerSize: 0, handler: RecordingHandler(echoPort: 7))
        defer { harness.stop() }
        let packet = UDPPacket(source: Self.v4a, destination: Self.v4b, sourcePort: 9, destinationPort: 7, payload: [4]).bytes
        harness.inject(packet)
        let echoed = try #require(harness.written())
        #expect(UDPPacket(parsing: echoed)?.destination == Self.v4a)
        #expect(echoed.count == packet.count)
    }

    @Test func truncatedAndForeignReadsAreDroppedAndCounted() throws {
        let harness = try Harness(headerSize: TunOffloadHeader.size, handler: RecordingHandler(watchedPort: 7))
        defer { harness.stop() }
        let header = [UInt8](repeating: 0, count: 10)
        let packet = UDPPacket(source: Self.v4a, destination: Self.v4b, sourcePort: 9, destinationPort: 7, payload: [1, 2, 3, 4]).bytes
        harness.inject(header + packet.dropLast(2))  // truncated
        harness.inject(header + packet + [0])  // longer than its IP length
        harness.inject(header + [0x55] + packet.dropFirst())  // not IPv4 or IPv6
        harness.inject([0, 0, 0])  // shorter than the virtio header
        harness.inject(header + packet)  // the one good packet
        #expect(waitUntil(seconds: 2) { harness.statistics.packetsRead == 1 && harness.statistics.lengthMismatchDrops == 4 })
        #expect(harness.handler.seen.withLock { $0.map(\.packet) } == [packet])
    }
}
#endif
