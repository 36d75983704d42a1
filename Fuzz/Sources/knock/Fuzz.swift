import FuzzSupport
import HyperionCrypto
import HyperionSPA
import HyperionWire

// The SPA gate's packet path: captured frames (Ethernet, an optional 802.1Q tag, IPv4 or
// IPv6, UDP) into a KnockProcessor whose verifier has a fixed key and clock. The input is
// a script: raw frames for the parser, and frames built around either fuzzed payloads or
// genuine knocks (sealed with the fuzzed nonce, time and port, sometimes with one byte
// flipped), so the verifier's tag, freshness, replay and cooldown paths are all reached.

enum Setup {
    static let now: UInt64 = 1_800_000_000
    static let knockPort: UInt16 = 62201
    static let key = KnockKey(presharedKey: try! PresharedKey(rawBytes: [UInt8](repeating: 0x42, count: 32)))
    static let serverPublicKey = try! X25519SecretKey(rawBytes: [UInt8](repeating: 0x07, count: 32)).publicKey

    static func processor() -> KnockProcessor {
        KnockProcessor(
            knockPort: knockPort,
            verifier: KnockVerifier(key: key, serverPublicKey: serverPublicKey, replayCapacity: 8, clock: .fixed(now)),
            cooldownSeconds: 5, clock: .fixed(now),
            summaryIntervalNanoseconds: 1_000_000_000, monotonicNow: 0
        )
    }
}

func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

/// An Ethernet frame carrying `payload` in UDP to `port`, from a fuzzed source.
func frame(_ reader: inout FuzzReader, payload: [UInt8], port: UInt16) -> [UInt8] {
    let shape = reader.u8()
    let v6 = shape & 1 != 0
    let vlan = shape & 2 != 0
    var frame = [UInt8](repeating: 0xAA, count: 12)
    if vlan { frame += [0x81, 0x00, 0x00, 0x05] }
    let udp = be16(40000) + be16(port) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
    if v6 {
        let source: [UInt8] = shape & 4 != 0 ? reader.take(16) : [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [9]
        frame += be16(0x86DD) + [0x60, 0, 0, 0] + be16(UInt16(udp.count)) + [17, 64]
        frame += source + [UInt8](repeating: 0, count: 15) + [1]
    } else {
        let source: [UInt8] = shape & 4 != 0 ? reader.take(4) : [198, 51, 100, 7 + shape >> 5]
        frame += be16(0x0800) + [0x45, 0] + be16(UInt16(20 + udp.count)) + [0, 0, 0x40, 0, 64, 17, 0, 0]
        frame += source + [192, 0, 2, 1]
    }
    frame += udp
    if shape & 8 != 0 { frame += [UInt8](repeating: 0, count: Int(shape >> 4)) }  // Ethernet padding
    return frame
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    var processor = Setup.processor()
    var steps = 0
    while !reader.atEnd, steps < 32 {
        steps += 1
        let operation = reader.u8()
        var packetType = KnockProcessor.packetHost
        var hardwareType = KnockProcessor.hardwareEthernet
        if operation & 0x80 != 0 {
            packetType = reader.u8() % 6
            hardwareType = [KnockProcessor.hardwareEthernet, KnockProcessor.hardwareLoopback, 0xFFFE, 24][Int(reader.u8()) % 4]
        }
        var bytes: [UInt8]
        var genuine: (time: UInt64, port: UInt16)? = nil
        switch operation % 4 {
        case 0:
            bytes = reader.take(Int(reader.u8()))
        case 1:
            let payload = reader.take(Int(reader.u8() % 64))
            bytes = frame(&reader, payload: payload, port: operation & 0x40 != 0 ? reader.u16() : Setup.knockPort)
        default:
            // A genuine knock: nonce, time (within ±64 s of now) and port from the input.
            let nonce = reader.take(KnockPacket.nonceLength)
            let time = Setup.now &+ UInt64(reader.u8()) &- 64
            let port = reader.u16()
            var payload = try! KnockPacket.seal(key: Setup.key, serverPublicKey: Setup.serverPublicKey,
                                                nonce: nonce, unixTime: time, tunnelPort: port)
            let flip = reader.u8()
            if operation & 0x20 != 0 {
                payload[Int(flip) % payload.count] ^= 1 << (flip & 7)
            } else {
                genuine = (time, port)
            }
            bytes = frame(&reader, payload: payload, port: Setup.knockPort)
        }
        // Also the parser on its own: a datagram's payload must lie inside the frame.
        if let datagram = CapturedPacketParser.parse(bytes) {
            precondition(datagram.payload.lowerBound >= 0 && datagram.payload.upperBound <= bytes.count,
                         "a payload range outside the frame")
        }
        // MSG_TRUNC: the kernel may report more than was captured.
        let reported = operation & 0x10 != 0 ? bytes.count + Int(reader.u8() % 4) : bytes.count
        let decision = bytes.withUnsafeBytes {
            processor.process(frame: $0, frameLength: reported, packetType: packetType, hardwareType: hardwareType)
        }
        if case .accepted(_, let requestedPort, _) = decision {
            // Only a genuine knock within the window is ever accepted, and with its own port.
            guard let genuine else { preconditionFailure("a forged or altered knock was accepted") }
            precondition(requestedPort == genuine.port, "an accepted knock's port is not the one sealed")
            precondition(genuine.time + KnockVerifier.defaultWindowSeconds >= Setup.now
                         && genuine.time <= Setup.now + KnockVerifier.defaultWindowSeconds, "a stale knock was accepted")
        }
    }
    _ = processor.summaryIfDue(monotonicNow: 2_000_000_000)
    return 0
}
