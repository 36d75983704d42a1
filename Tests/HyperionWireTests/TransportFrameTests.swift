import Crypto
@testable import HyperionCrypto
import NIOCore
import Testing
@testable import HyperionWire

@Suite struct TransportFrameTests {
    /// A completed handshake between fresh keys, so frames use real transport keys.
    static func transportPair() throws -> (client: NoiseTransport, server: NoiseTransport) {
        let serverKey = X25519SecretKey.generate()
        let adminKey = X25519SecretKey.generate()
        let psk = try PresharedKey(rawBytes: [UInt8](repeating: 9, count: 32))
        var initiator = NoiseInitiator(prologue: HyperionNoise.prologue, localStatic: adminKey, remoteStatic: serverKey.publicKey, presharedKey: psk)
        var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: serverKey, presharedKey: psk)
        let m1 = try initiator.writeMessage1()
        _ = try responder.readMessage1(m1)
        let m2 = try responder.writeMessage2()
        _ = try initiator.readMessage2(m2)
        return (try initiator.split(), try responder.split())
    }

    @Test func parserRespectsBoundsAndPartialInput() throws {
        let parser = TransportFrameParser()
        for bad: UInt16 in [0, 15, 16401, 0xFFFF] {
            var input = ByteBuffer()
            input.writeInteger(bad)
            #expect(throws: WireError.self) { try parser.nextCiphertext(from: &input) }
        }
        var input = ByteBuffer()
        input.writeInteger(UInt16(16))
        input.writeBytes([UInt8](repeating: 1, count: 15))
        #expect(try parser.nextCiphertext(from: &input) == nil)
        #expect(input.readableBytes == 17)
        input.writeInteger(UInt8(1))
        #expect(try parser.nextCiphertext(from: &input)?.readableBytes == 16)
    }

    @Test func bytesMissingCountsToTheEndOfTheFirstFrameAndChecksItsLength() throws {
        let parser = TransportFrameParser()
        #expect(try parser.bytesMissing(in: ByteBuffer()) == 2)
        #expect(try parser.bytesMissing(in: ByteBuffer(bytes: [0x00])) == 1)
        #expect(try parser.bytesMissing(in: ByteBuffer(bytes: [0x00, 20])) == 20)
        #expect(try parser.bytesMissing(in: ByteBuffer(bytes: [0x00, 20] + [UInt8](repeating: 0, count: 19))) == 1)
        #expect(try parser.bytesMissing(in: ByteBuffer(bytes: [0x00, 20] + [UInt8](repeating: 0, count: 25))) == 0)
        #expect(try parser.bytesMissing(in: ByteBuffer(bytes: [0x40, 0x10])) == 16_400)
        #expect(throws: WireError.self) { try parser.bytesMissing(in: ByteBuffer(bytes: [0x40, 0x11])) }
        #expect(throws: WireError.self) { try parser.bytesMissing(in: ByteBuffer(bytes: [0x00, 0x0F])) }
    }

    @Test func sealsIntoBoundedFramesAndOpensAcrossAnySplit() throws {
        let (client, server) = try Self.transportPair()
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        var opener = TransportFrameOpener(cipher: server.receiver)
        var rng = SeededGenerator(seed: 2)
        let message = rng.bytes(100_000)
        var plaintext = ByteBuffer(bytes: message)
        try assembler.append(&plaintext)
        var wire = try assembler.takeSealed()
        #expect(plaintext.readableBytes == 0)
        // 100000 bytes need 7 frames: 6 full ones and one of 1696.
        #expect(wire.readableBytes == 100_000 + 7 * 18)

        // Deliver the wire bytes in random pieces, as TCP may.
        let parser = TransportFrameParser()
        var received = ByteBuffer()
        var output = ByteBuffer()
        var frames = 0
        while wire.readableBytes > 0 {
            var piece = wire.readSlice(length: min(wire.readableBytes, Int.random(in: 1...5000, using: &rng)))!
            received.writeBuffer(&piece)
            while let ciphertext = try parser.nextCiphertext(from: &received) {
                #expect(ciphertext.readableBytes <= TransportFrame.maximumLength)
                try opener.open(ciphertext, into: &output)
                frames += 1
            }
        }
        #expect(frames == 7)
        #expect(output.readBytes(length: output.readableBytes) == message)
    }

    /// The assembler's in-place frames, checked against swift-crypto's own ChaChaPoly with
    /// the Noise nonce layout: the same bytes, frame by frame.
    @Test func assembledFramesMatchSwiftCryptoChaChaPoly() throws {
        let key = SymmetricKey(size: .bits256)
        let keyBytes = key.withUnsafeBytes { Array($0) }
        var assembler = TransportFrameAssembler(cipher: NoiseCipherState(key: keyBytes), output: ByteBuffer())
        var rng = SeededGenerator(seed: 5)
        let writes = (0..<40).map { _ in rng.bytes(Int.random(in: 0...9000, using: &rng)) }
        for write in writes {
            var buffer = ByteBuffer(bytes: write)
            try assembler.append(&buffer)
        }
        var wire = try assembler.takeSealed()
        let message = writes.flatMap { $0 }
        var offset = 0
        var counter: UInt64 = 0
        while wire.readableBytes > 0 {
            let length = Int(wire.readInteger(as: UInt16.self)!)
            let frame = wire.readBytes(length: length)!
            let plaintextCount = min(TransportFrame.maximumPlaintextLength, message.count - offset)
            #expect(length == plaintextCount + 16, "frames fill to 16384 before a new one starts")
            var nonce = [UInt8](repeating: 0, count: 4)
            withUnsafeBytes(of: counter.littleEndian) { nonce += $0 }
            let box = try ChaChaPoly.seal(message[offset..<(offset + plaintextCount)], using: key, nonce: ChaChaPoly.Nonce(data: nonce))
            #expect(frame == Array(box.ciphertext) + Array(box.tag))
            offset += plaintextCount
            counter += 1
        }
        #expect(offset == message.count)
        #expect(try assembler.takeSealed().readableBytes == 0, "nothing appended, nothing sealed")
    }

    /// One output storage for the life of a connection: once the caller has released what
    /// `takeSealed` returned (the socket wrote it), the next frames are built in the same
    /// memory, with no allocation per flush.
    @Test func outputStorageIsReusedOnceTheSealedBytesAreReleased() throws {
        let (client, server) = try Self.transportPair()
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBufferAllocator().buffer(capacity: 4096))
        var opener = TransportFrameOpener(cipher: server.receiver)
        let parser = TransportFrameParser()
        func roundTrip(_ text: String) throws -> (UnsafeRawPointer?, String) {
            var plaintext = ByteBuffer(string: text)
            try assembler.append(&plaintext)
            var sealed = try assembler.takeSealed()
            let address = sealed.withUnsafeReadableBytes { UnsafeRawPointer($0.baseAddress) }
            var opened = ByteBuffer()
            while let ciphertext = try parser.nextCiphertext(from: &sealed) { try opener.open(ciphertext, into: &opened) }
            return (address, String(buffer: opened))
        }
        let first = try roundTrip("ping")
        let second = try roundTrip("pong")
        #expect(first.1 == "ping" && second.1 == "pong")
        #expect(first.0 == second.0, "the second flush was built in new memory")
        #expect(assembler.bufferedByteCount == 0)
    }

    @Test func tamperedOrReplayedFrameIsRefused() throws {
        let (client, server) = try Self.transportPair()
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        var plaintext = ByteBuffer(bytes: [1, 2, 3])
        try assembler.append(&plaintext)
        var wire = try assembler.takeSealed()
        let parser = TransportFrameParser()
        let frame = try #require(try parser.nextCiphertext(from: &wire))

        for index in 0..<frame.readableBytes {
            var opener = TransportFrameOpener(cipher: server.receiver)
            var tampered = frame
            tampered.setInteger(frame.getInteger(at: frame.readerIndex + index, as: UInt8.self)! ^ 0x01, at: frame.readerIndex + index)
            var out = ByteBuffer()
            #expect(throws: WireError.self) { try opener.open(tampered, into: &out) }
        }
        var opener = TransportFrameOpener(cipher: server.receiver)
        var out = ByteBuffer()
        try opener.open(frame, into: &out)
        #expect(out.readableBytesView.elementsEqual([1, 2, 3]))
        // The same frame again: the receiver's nonce has moved on.
        #expect(throws: WireError.self) { try opener.open(frame, into: &out) }
    }

    @Test func randomCiphertextIsNeverAccepted() throws {
        let (_, server) = try Self.transportPair()
        var opener = TransportFrameOpener(cipher: server.receiver)
        var rng = SeededGenerator(seed: 3)
        let parser = TransportFrameParser()
        for _ in 0..<500 {
            var input = ByteBuffer(bytes: rng.bytes(Int.random(in: 0...300, using: &rng)))
            guard let ciphertext = try? parser.nextCiphertext(from: &input) else { continue }
            var out = ByteBuffer()
            #expect(throws: WireError.self) { try opener.open(ciphertext, into: &out) }
        }
    }
}
