import Testing
@testable import HyperionCrypto

@Suite struct NoiseInitiatorTests {
    typealias Peers = NoiseTestPeers

    /// An initiator that has sent message 1 and waits for message 2.
    func waitingInitiator(presharedKey: PresharedKey = Peers.presharedKey) throws -> NoiseInitiator {
        var initiator = Peers.initiator(presharedKey: presharedKey)
        _ = try initiator.writeMessage1()
        return initiator
    }

    @Test func completesAgainstResponder() throws {
        var initiator = try waitingInitiator()
        #expect(try initiator.readMessage2(Peers.messages().message2) == [])
        #expect(throws: Never.self) { try initiator.split() }
    }

    @Test func wrongPresharedKeyIsRefusedAtMessage2() throws {
        var initiator = Peers.initiator(presharedKey: Peers.otherPresharedKey)
        var responder = Peers.responder()
        // The PSK enters only at message 2, so the server cannot tell yet...
        _ = try responder.readMessage1(initiator.writeMessage1())
        let message2 = try responder.writeMessage2()
        // ...but the client can.
        expectCryptoError(.handshakeFailed) { try initiator.readMessage2(message2) }
        expectCryptoError(.handshakeFailed) { try initiator.split() }
    }

    @Test func everyTamperedByteOfMessage2IsRefused() throws {
        let message2 = try Peers.messages().message2
        #expect(message2.count == HyperionNoise.message2ByteCount)
        for index in message2.indices {
            for flip: UInt8 in [0x01, 0x80] {
                var tampered = message2
                tampered[index] ^= flip
                var initiator = try waitingInitiator()
                expectCryptoError(.handshakeFailed) { try initiator.readMessage2(tampered) }
            }
        }
    }

    @Test(arguments: [0, 1, 31, 32, 33, 47, 49, 64, 65_536])
    func truncatedOrExtendedMessage2IsRefused(length: Int) throws {
        let message2 = try Peers.messages().message2
        let resized = length <= message2.count
            ? Array(message2.prefix(length)) : message2 + [UInt8](repeating: 0, count: length - message2.count)
        var initiator = try waitingInitiator()
        expectCryptoError(.handshakeFailed) { try initiator.readMessage2(resized) }
    }

    @Test func randomGarbageAsMessage2NeverCrashes() throws {
        var random = SeededGenerator(seed: 0x4E4F_4953_4532)
        let waiting = try waitingInitiator()
        for _ in 0..<3000 {
            let length = Bool.random(using: &random) ? 48 : Int.random(in: 0...160, using: &random)
            var initiator = waiting
            expectCryptoError(.handshakeFailed) { try initiator.readMessage2(random.bytes(length)) }
        }
    }

    @Test func callsOutOfOrderAreRefused() throws {
        var initiator = Peers.initiator()
        expectCryptoError(.handshakeOutOfOrder) { try initiator.readMessage2([UInt8](repeating: 0, count: 48)) }
        expectCryptoError(.handshakeOutOfOrder) { try Peers.initiator().split() }
        _ = try initiator.writeMessage1()
        expectCryptoError(.handshakeOutOfOrder) { try initiator.writeMessage1() }
        expectCryptoError(.handshakeOutOfOrder) { try initiator.split() }
        _ = try initiator.readMessage2(Peers.messages().message2)
        expectCryptoError(.handshakeOutOfOrder) { try initiator.writeMessage1() }
        expectCryptoError(.handshakeOutOfOrder) { try initiator.readMessage2(Peers.messages().message2) }
    }

    /// A refused message 2 is final: not even the genuine message 2 is accepted after it.
    @Test func failureLeavesTheHandshakeUnusable() throws {
        var initiator = try waitingInitiator()
        var garbage = try Peers.messages().message2
        garbage[40] ^= 1
        expectCryptoError(.handshakeFailed) { try initiator.readMessage2(garbage) }
        expectCryptoError(.handshakeFailed) { try initiator.readMessage2(Peers.messages().message2) }
        expectCryptoError(.handshakeFailed) { try initiator.writeMessage1() }
        expectCryptoError(.handshakeFailed) { try initiator.split() }
        #expect("\(initiator)" == "NoiseInitiator(failed)")
    }

    /// A low-order server key (here the all-zero point) would make every DH output zero;
    /// it is refused before anything is sent.
    @Test func lowOrderServerKeyIsRefused() throws {
        var initiator = Peers.initiator(server: try X25519PublicKey(rawBytes: [UInt8](repeating: 0, count: 32)))
        expectCryptoError(.invalidPublicKey) { try initiator.writeMessage1() }
    }

    @Test func payloadsTravelBothWays() throws {
        var initiator = Peers.initiator()
        var responder = Peers.responder()
        let message1 = try initiator.writeMessage1(payload: Array("hello server".utf8))
        #expect(message1.count == 96 + 12)
        #expect(try responder.readMessage1(message1).payload == Array("hello server".utf8))
        let message2 = try responder.writeMessage2(payload: Array("hello admin".utf8))
        #expect(message2.count == 48 + 11)
        #expect(try initiator.readMessage2(message2) == Array("hello admin".utf8))
    }

    @Test func oversizedPayloadIsRefused() {
        var initiator = Peers.initiator()
        expectCryptoError(.invalidMessageLength) {
            try initiator.writeMessage1(payload: [UInt8](repeating: 0, count: 65535 - 96 + 1))
        }
    }
}
