import FuzzSupport
import HyperionCrypto

// Noise IKpsk2 handshakes with fixed keys: arbitrary bytes as message 1 into a responder
// and as message 2 into an initiator that sent its message 1, and genuine handshakes with
// fuzzed payloads, sometimes with one byte of a message flipped. A flipped or arbitrary
// message must be refused (never accepted, never a crash); a genuine one must complete,
// carry its payload intact and give both sides matching transport keys.

enum Keys {
    static func key(_ byte: UInt8) -> X25519SecretKey {
        try! X25519SecretKey(rawBytes: [UInt8](repeating: byte, count: 31) + [byte | 0x40])
    }

    static let server = key(0x11)
    static let client = key(0x22)
    static let serverEphemeral = key(0x33)
    static let clientEphemeral = key(0x44)
    static let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 0x55, count: 32))

    static func responder() -> NoiseResponder {
        NoiseResponder(prologue: HyperionNoise.prologue, localStatic: server, presharedKey: psk,
                       ephemeral: serverEphemeral)
    }

    static func initiator() -> NoiseInitiator {
        NoiseInitiator(prologue: HyperionNoise.prologue, localStatic: client, remoteStatic: server.publicKey,
                       presharedKey: psk, ephemeral: clientEphemeral)
    }

    /// An initiator that has written its (always identical) message 1: made once, as its
    /// two DH operations would otherwise cost more than the message 2 under test.
    static let initiatorAfterMessage1: NoiseInitiator = {
        var sent = initiator()
        _ = try! sent.writeMessage1()
        return sent
    }()
}

/// One transport frame each way must open on the other side.
func checkTransports(_ client: inout NoiseTransport, _ server: inout NoiseTransport, _ plaintext: [UInt8]) {
    for direction in 0..<2 {
        var sealed = [UInt8](repeating: 0, count: plaintext.count + 16)
        var opened = [UInt8](repeating: 0, count: max(plaintext.count, 1))
        let count = plaintext.withUnsafeBytes { source in
            sealed.withUnsafeMutableBytes { output in
                direction == 0 ? try! client.sender.seal(source, into: output) : try! server.sender.seal(source, into: output)
            }
        }
        precondition(count == plaintext.count + 16)
        let openedCount = sealed.withUnsafeBytes { source in
            opened.withUnsafeMutableBytes { output in
                direction == 0 ? try! server.receiver.open(source, into: output) : try! client.receiver.open(source, into: output)
            }
        }
        precondition(openedCount == plaintext.count && Array(opened.prefix(openedCount)) == plaintext,
                     "a transport frame did not round-trip")
    }
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    switch reader.u8() % 3 {
    case 0:
        var responder = Keys.responder()
        if let (remote, _) = try? responder.readMessage1(reader.rest()) {
            // Only the client's own key can get through (the input replayed a genuine one).
            precondition(remote == Keys.client.publicKey, "message 1 from an unknown key was accepted")
            _ = try? responder.writeMessage2()
        } else {
            precondition((try? responder.writeMessage2()) == nil, "a failed responder wrote message 2")
        }
    case 1:
        var initiator = Keys.initiatorAfterMessage1
        if (try? initiator.readMessage2(reader.rest())) != nil {
            _ = try! initiator.split()
        }
    default:
        let payload1 = reader.take(Int(reader.u8()))
        let payload2 = reader.take(Int(reader.u8()))
        let flip = reader.u16()
        let flipSecond = flip & 0x8000 != 0
        let flipIndex = Int(flip & 0x3FFF)
        let doFlip = flip & 0x4000 != 0
        var initiator = Keys.initiator()
        var responder = Keys.responder()
        var message1 = try! initiator.writeMessage1(payload: payload1)
        precondition(message1.count == 96 + payload1.count)
        if doFlip && !flipSecond {
            message1[flipIndex % message1.count] ^= UInt8(1 << (flip & 7))
            precondition((try? responder.readMessage1(message1)) == nil, "a flipped message 1 was accepted")
            return 0
        }
        let (remote, received1) = try! responder.readMessage1(message1)
        precondition(remote == Keys.client.publicKey && received1 == payload1, "message 1 changed in transit")
        var message2 = try! responder.writeMessage2(payload: payload2)
        precondition(message2.count == 48 + payload2.count)
        if doFlip {
            message2[flipIndex % message2.count] ^= UInt8(1 << (flip & 7))
            precondition((try? initiator.readMessage2(message2)) == nil, "a flipped message 2 was accepted")
            return 0
        }
        let received2 = try! initiator.readMessage2(message2)
        precondition(received2 == payload2, "message 2 changed in transit")
        var client = try! initiator.split()
        var server = try! responder.split()
        checkTransports(&client, &server, reader.rest())
    }
    return 0
}
