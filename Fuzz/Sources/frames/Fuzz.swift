import FuzzSupport
import HyperionCrypto
import HyperionWire
import NIOCore

// Transport frames (PROTOCOL.md §4) with the keys of one fixed handshake: arbitrary bytes
// from the wire into the frame parser and opener (every frame must be refused, never
// crash, and never make us wait for more than one maximum frame), and a round trip of
// fuzzed writes through the assembler and back through the parser and opener, fed in
// fuzzed read sizes, sometimes with one byte flipped. Unflipped, the bytes must come back
// exactly; flipped, what comes back before the failure must be a prefix of what was sent.
// Half the round trips rekey every few frames (PROTOCOL.md §10.3) and the receiver follows
// the markers; half of the arbitrary inputs go to a receiver that accepts markers.
// Handshake frames (the u16-prefixed messages 1 and 2) are parsed from the same bytes.

/// Both sides' transport keys after a handshake with fixed keys, made once per process.
let transports: (client: NoiseTransport, server: NoiseTransport) = {
    func key(_ byte: UInt8) -> X25519SecretKey { try! X25519SecretKey(rawBytes: [UInt8](repeating: byte, count: 32)) }
    let psk = try! PresharedKey(rawBytes: [UInt8](repeating: 0x55, count: 32))
    var initiator = NoiseInitiator(prologue: HyperionNoise.prologue, localStatic: key(1),
                                   remoteStatic: key(2).publicKey, presharedKey: psk, ephemeral: key(3))
    var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: key(2),
                                   presharedKey: psk, ephemeral: key(4))
    _ = try! responder.readMessage1(try! initiator.writeMessage1())
    _ = try! initiator.readMessage2(try! responder.writeMessage2())
    return (try! initiator.split(), try! responder.split())
}()

/// What the round trips write: write i is a slice of the i-th 40,000 bytes of this, so no
/// two writes share bytes and reordered or repeated pieces cannot compare equal. Made once,
/// as building bytes one by one under the fuzzer's comparison tracing costs more than
/// sealing them.
let pattern: [UInt8] = {
    var state: UInt32 = 0x6879_7065
    return (0..<(8 * 40_000)).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}()

/// Feeds `wire` to a parser and opener in reads of the given sizes (cycled, for the first
/// 256 reads); returns the plaintext opened before the end or the first error, and whether
/// an error ended it. A receiver that does not `acceptMarkers` treats a marker as v1 does:
/// as an invalid length.
func receive(_ wire: ByteBuffer, readSizes: [Int], acceptMarkers: Bool = false) -> (plaintext: ByteBuffer, failed: Bool) {
    var opener = TransportFrameOpener(cipher: transports.server.receiver)
    let parser = TransportFrameParser()
    var pending = ByteBuffer()
    var plaintext = ByteBuffer()
    var wire = wire
    var sizeIndex = 0
    do {
        while wire.readableBytes > 0 {
            // After 256 reads the rest arrives at once: byte-sized reads through a stream of
            // hundreds of kilobytes made the slowest inputs cost a thousand times the others.
            let size = readSizes.isEmpty || sizeIndex >= 256
                ? wire.readableBytes : max(1, readSizes[sizeIndex % readSizes.count])
            sizeIndex += 1
            var read = wire.readSlice(length: min(size, wire.readableBytes))!
            pending.writeBuffer(&read)
            let missing = try parser.bytesMissing(in: pending)
            precondition(missing >= 0 && missing + pending.readableBytes <= TransportFrame.maximumWireLength
                         || pending.readableBytes > TransportFrame.maximumWireLength,
                         "the parser asked for more than one maximum frame")
            while let frame = try parser.nextFrame(from: &pending) {
                switch frame {
                case .data(let ciphertext):
                    try opener.open(ciphertext, into: &plaintext)
                case .rekeyMarker(let marker):
                    guard acceptMarkers else { throw RekeyNegotiation.unexpectedMarker }
                    try opener.openRekeyMarker(marker)
                }
            }
        }
    } catch {
        return (plaintext, true)
    }
    return (plaintext, false)
}

@main enum Main {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var reader = FuzzReader(data, size)
    let mode = reader.u8()
    let readSizes = (0..<Int(mode >> 5)).map { _ in Int(reader.u16()) }
    if mode & 1 == 0 {
        let bytes = reader.rest()
        // Arbitrary wire bytes: a forged frame never opens.
        // No seed holds a genuine frame, and forging a tag without the key is not possible.
        let (plaintext, _) = receive(ByteBuffer(bytes: bytes), readSizes: readSizes, acceptMarkers: mode & 2 != 0)
        precondition(plaintext.readableBytes == 0, "a frame from arbitrary bytes opened")
        var handshakeBytes = ByteBuffer(bytes: bytes)
        while let message = try? HandshakeFrame.read(from: &handshakeBytes) {
            precondition(message.count <= HandshakeFrame.maximumLength, "a handshake frame beyond its limit")
        }
        return 0
    }
    // Writes of fuzzed sizes (some beyond one frame), taken from a pattern so that a short
    // input can still make large frames.
    var assembler = TransportFrameAssembler(cipher: transports.client.sender, output: ByteBuffer())
    let rekeys = mode & 2 != 0
    let start = NIODeadline.uptimeNanoseconds(0)
    if rekeys {
        let policy = RekeyPolicy(framesPerKey: 2 + UInt64(reader.u8() % 8), keyLifetime: .seconds(1))
        assembler.startRekeying(policy: policy, keySince: start, markerAtOnce: reader.u8() & 1 != 0)
    }
    var sent = ByteBuffer()
    var wire = ByteBuffer()
    for index in 0..<Int(reader.u8() % 8) {
        let length = Int(reader.u16()) % 40_000
        var piece = ByteBuffer(bytes: pattern[index * 40_000..<index * 40_000 + length])
        sent.writeImmutableBuffer(piece)
        try! assembler.append(&piece)
        let take = reader.u8()
        if take & 1 != 0 {
            // The upper bits step the clock (in tenths of a second) for the age limit.
            var sealed = try! assembler.takeSealed(now: start + .milliseconds(Int64(index) * 100 * Int64(take >> 1)))
            wire.writeBuffer(&sealed)
        }
    }
    var sealed = try! assembler.takeSealed()
    wire.writeBuffer(&sealed)
    let flip = reader.u32()
    let flipped = flip & 1 != 0 && wire.readableBytes > 0
    if flipped {
        let at = wire.readerIndex + Int(flip >> 8) % wire.readableBytes
        wire.setInteger(wire.getInteger(at: at, as: UInt8.self)! ^ UInt8(1 << (flip >> 1 & 7)), at: at)
    }
    let (plaintext, failed) = receive(wire, readSizes: readSizes, acceptMarkers: rekeys)
    if flipped {
        precondition(sent.readableBytes >= plaintext.readableBytes
                     && sent.getSlice(at: sent.readerIndex, length: plaintext.readableBytes) == plaintext,
                     "a damaged stream opened to something that was not sent")
        precondition(failed || plaintext.readableBytes < sent.readableBytes, "a damaged stream opened in full")
    } else {
        precondition(!failed && plaintext == sent, "the stream did not round-trip")
    }
    return 0
}
