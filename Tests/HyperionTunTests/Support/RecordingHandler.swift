import Foundation
import HyperionTun
import Synchronization

/// A handler for the loop tests: records the UDP packets sent to `watchedPort`, echoes
/// those sent to `echoPort` back (addresses and ports swapped, which leaves every checksum
/// valid, and the original virtio header), writes packets it is sent and counts ticks.
/// The test thread reads what it recorded through the mutexes.
final class RecordingHandler: TunPacketHandler {
    enum Command: Sendable {
        case write([UInt8])
        case note(Int)
    }

    struct Seen {
        var packet: [UInt8]
        var header: TunOffloadHeader?
    }

    let watchedPort: UInt16
    let echoPort: UInt16
    let seen = Mutex<[Seen]>([])
    let notes = Mutex<[Int]>([])
    let writes = Mutex<[Bool]>([])
    let echoes = Mutex<[Bool]>([])
    let ticks = Atomic<Int>(0)

    init(watchedPort: UInt16 = 0, echoPort: UInt16 = 0) {
        self.watchedPort = watchedPort
        self.echoPort = echoPort
    }

    func handlePacket(_ packet: UnsafeMutableRawBufferPointer, header: TunOffloadHeader?, out: TunWriter) {
        guard let udp = UDPPacket(parsing: Array(packet)) else { return }
        if udp.destinationPort == watchedPort {
            seen.withLock { $0.append(Seen(packet: Array(packet), header: header)) }
        }
        if udp.destinationPort == echoPort {
            Self.swapEnds(packet)
            let written = out.writeBack()
            echoes.withLock { $0.append(written) }
        }
    }

    func handleCommand(_ command: Command, out: TunWriter) {
        switch command {
        case .write(let packet):
            let written = out.write(packet)
            writes.withLock { $0.append(written) }
        case .note(let value):
            notes.withLock { $0.append(value) }
        }
    }

    func tick(out: TunWriter) {
        ticks.add(1, ordering: .relaxed)
    }

    /// Swaps source and destination address and port of a UDP packet in place.
    private static func swapEnds(_ packet: UnsafeMutableRawBufferPointer) {
        let isIPv6 = packet[0] >> 4 == 6
        let (source, size, transport) = isIPv6 ? (8, 16, 40) : (12, 4, Int(packet[0] & 0x0F) * 4)
        for offset in 0..<size { packet.swapAt(source + offset, source + size + offset) }
        packet.swapAt(transport, transport + 2)
        packet.swapAt(transport + 1, transport + 3)
    }
}

/// Polls `condition` every 10 ms until it holds or `seconds` pass; true if it held.
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}
