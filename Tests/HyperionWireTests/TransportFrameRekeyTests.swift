@testable import HyperionCrypto
import NIOCore
import Testing
@testable import HyperionWire

/// Rekey markers on the wire (PROTOCOL.md §10.3): where the assembler puts them, how the
/// parser cuts them, and that a receiver that switches keys at each one opens everything.
@Suite struct TransportFrameRekeyTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000)

    /// Opens `wire` like a receiver that accepts markers; returns the plaintext and the
    /// number of markers met.
    func receive(_ wire: inout ByteBuffer, with opener: inout TransportFrameOpener) throws -> (ByteBuffer, Int) {
        let parser = TransportFrameParser()
        var plaintext = ByteBuffer()
        var markers = 0
        while let frame = try parser.nextFrame(from: &wire) {
            switch frame {
            case .data(let ciphertext): try opener.open(ciphertext, into: &plaintext)
            case .rekeyMarker(let marker):
                try opener.openRekeyMarker(marker)
                markers += 1
            }
        }
        return (plaintext, markers)
    }

    @Test func markerBytesAndPlace() throws {
        let (client, server) = try TransportFrameTests.transportPair()
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        assembler.startRekeying(policy: RekeyPolicy(framesPerKey: 3, keyLifetime: .minutes(10)), keySince: start, markerAtOnce: false)
        // Five full frames: markers after the 2nd and the 4th.
        var plaintext = ByteBuffer(bytes: [UInt8](repeating: 7, count: 5 * TransportFrame.maximumPlaintextLength))
        try assembler.append(&plaintext)
        var wire = try assembler.takeSealed(now: start)
        var lengths: [UInt16] = []
        var scan = wire
        while let field = scan.readInteger(as: UInt16.self) {
            lengths.append(field)
            scan.moveReaderIndex(forwardBy: field == 0x8010 ? 16 : Int(field))
        }
        #expect(lengths == [16400, 16400, 0x8010, 16400, 16400, 0x8010, 16400])

        var opener = TransportFrameOpener(cipher: server.receiver)
        let (opened, markers) = try receive(&wire, with: &opener)
        #expect(markers == 2)
        #expect(opened.readableBytes == 5 * TransportFrame.maximumPlaintextLength)
        #expect(opened.readableBytesView.allSatisfy { $0 == 7 })
    }

    /// Hundreds of rekeys, writes of random sizes, reads cut anywhere: byte for byte.
    @Test func byteExactAcrossHundredsOfRekeys() throws {
        let (client, server) = try TransportFrameTests.transportPair()
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        assembler.startRekeying(policy: RekeyPolicy(framesPerKey: 2, keyLifetime: .seconds(1)), keySince: start, markerAtOnce: true)
        var opener = TransportFrameOpener(cipher: server.receiver)
        var rng = SeededGenerator(seed: 20)
        var sent = ByteBuffer()
        var received = ByteBuffer()
        var pending = ByteBuffer()
        var markers = 0
        var now = start
        for _ in 0..<400 {
            var piece = ByteBuffer(bytes: rng.bytes(Int.random(in: 1...40_000, using: &rng)))
            sent.writeImmutableBuffer(piece)
            try assembler.append(&piece)
            now = now + .milliseconds(Int64.random(in: 0...600, using: &rng))
            var sealed = try assembler.takeSealed(now: now)
            while sealed.readableBytes > 0 {
                var cut = sealed.readSlice(length: min(sealed.readableBytes, Int.random(in: 1...20_000, using: &rng)))!
                pending.writeBuffer(&cut)
                var (opened, count) = try receive(&pending, with: &opener)
                received.writeBuffer(&opened)
                markers += count
                pending.discardReadBytes()
            }
        }
        #expect(markers >= 300)
        #expect(markers == assembler.rekeySchedule?.markersSealed)
        let same = received == sent
        #expect(same, "\(received.readableBytes) bytes received of \(sent.readableBytes)")
    }

    @Test func aV1ParserRefusesAMarkerAndAnEmptyFrameStaysV1() throws {
        let (client, server) = try TransportFrameTests.transportPair()
        var sender = client.sender
        var marker = ByteBuffer()
        marker.writeInteger(TransportFrame.rekeyMarkerLengthField)
        marker.writeBytes(try sender.sealEmpty(authenticating: TransportFrame.rekeyMarkerAssociatedData))
        let parser = TransportFrameParser()
        #expect(try parser.bytesMissing(in: marker) == 0)
        var forV1 = marker
        #expect(throws: WireError.self) { try parser.nextCiphertext(from: &forV1) }
        #expect(throws: WireError.self) { try parser.bytesMissing(in: ByteBuffer(bytes: [0x80, 0x11])) }
        #expect(throws: WireError.self) { try parser.bytesMissing(in: ByteBuffer(bytes: [0x80, 0x00])) }

        // An empty v1 frame (length 16) is data with no plaintext, never a marker.
        var empty = ByteBuffer()
        empty.writeInteger(UInt16(16))
        empty.writeBytes(try sender.emptyFrameTag())
        guard case .data(let ciphertext) = try parser.nextFrame(from: &empty) else {
            Issue.record("an empty v1 frame was not data")
            return
        }
        var opener = TransportFrameOpener(cipher: server.receiver)
        guard case .rekeyMarker(let tag) = try parser.nextFrame(from: &marker) else {
            Issue.record("0x8010 was not a marker")
            return
        }
        try opener.openRekeyMarker(tag)
        var plaintext = ByteBuffer()
        // The empty frame came after the marker on the sender (nonce 1, old key), so
        // after the receiver's rekey it no longer opens: the order of keys is checked.
        #expect(throws: WireError.self) { try opener.open(ciphertext, into: &plaintext) }
    }

    /// The marker's tag covers its length field: with the high bit cleared it is not a
    /// valid empty frame, and an empty frame's tag is not a valid marker.
    @Test func markerAndEmptyFrameCannotBeTurnedIntoEachOther() throws {
        let (client, server) = try TransportFrameTests.transportPair()
        var sender = client.sender
        let markerTag = try sender.sealEmpty(authenticating: TransportFrame.rekeyMarkerAssociatedData)
        var asEmptyFrame = TransportFrameOpener(cipher: server.receiver)
        var plaintext = ByteBuffer()
        #expect(throws: WireError.self) { try asEmptyFrame.open(ByteBuffer(bytes: markerTag), into: &plaintext) }

        var emptySender = client.sender
        let emptyTag = try emptySender.emptyFrameTag()
        var asMarker = TransportFrameOpener(cipher: server.receiver)
        #expect(throws: WireError.self) { try asMarker.openRekeyMarker(ByteBuffer(bytes: emptyTag)) }
        #expect(asMarker.cipher.nonce == 0, "a marker that fails leaves the key and counter")
    }

    @Test func aForgedMarkerFailsAuthenticationAndKeepsTheKey() throws {
        let (client, server) = try TransportFrameTests.transportPair()
        var opener = TransportFrameOpener(cipher: server.receiver)
        #expect {
            try opener.openRekeyMarker(ByteBuffer(bytes: [UInt8](repeating: 0xAA, count: 16)))
        } throws: { ($0 as? WireError)?.kind == .frameAuthenticationFailed }
        var assembler = TransportFrameAssembler(cipher: client.sender, output: ByteBuffer())
        var data = ByteBuffer(bytes: [1, 2])
        try assembler.append(&data)
        var wire = try assembler.takeSealed()
        let (plaintext, _) = try receive(&wire, with: &opener)
        #expect(Array(plaintext.readableBytesView) == [1, 2])
    }
}

extension NoiseCipherState {
    /// The tag of an empty §4 frame (which Hyperion never sends, but a v1 peer may).
    mutating func emptyFrameTag() throws -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: Self.tagByteCount)
        _ = try tag.withUnsafeMutableBytes { try seal(UnsafeRawBufferPointer(start: nil, count: 0), into: $0) }
        return tag
    }
}
