import Testing
@testable import HyperionCrypto

/// The public Noise test vectors for our protocol, replayed through both role types: every
/// ciphertext is produced by its sender and equals the vector, and is accepted by its
/// receiver, which recovers the payload.
@Suite struct NoiseVectorTests {
    static let file = "noise-IKpsk2-25519-ChaChaPoly-BLAKE2s"

    @Test func fileHoldsTheFourHandshakes() throws {
        let vectors = try NoiseVector.load(Self.file)
        #expect(vectors.count == 4)
        #expect(vectors.allSatisfy { $0.protocolName == HyperionNoise.protocolName })
        #expect(vectors.allSatisfy { $0.messages.count >= 3 })
    }

    @Test(arguments: try NoiseVector.load(file))
    func handshakeAndTransportMatchVector(vector: NoiseVector) throws {
        var initiator = NoiseInitiator(
            prologue: vector.prologue, localStatic: vector.initiatorStatic,
            remoteStatic: vector.responderStatic.publicKey, presharedKey: vector.presharedKey,
            ephemeral: vector.initiatorEphemeral
        )
        var responder = NoiseResponder(
            prologue: vector.prologue, localStatic: vector.responderStatic,
            presharedKey: vector.presharedKey, ephemeral: vector.responderEphemeral
        )

        // msg_0: initiator -> responder.
        let message1 = try initiator.writeMessage1(payload: vector.messages[0].payload)
        #expect(TestBytes.hexString(message1) == TestBytes.hexString(vector.messages[0].ciphertext))
        let (learnedStatic, payload1) = try responder.readMessage1(vector.messages[0].ciphertext)
        #expect(learnedStatic == vector.initiatorStatic.publicKey)
        #expect(payload1 == vector.messages[0].payload)

        // msg_1: responder -> initiator.
        let message2 = try responder.writeMessage2(payload: vector.messages[1].payload)
        #expect(TestBytes.hexString(message2) == TestBytes.hexString(vector.messages[1].ciphertext))
        #expect(try initiator.readMessage2(vector.messages[1].ciphertext) == vector.messages[1].payload)

        // Transport: even indices initiator -> responder, odd responder -> initiator.
        var client = try initiator.split()
        var server = try responder.split()
        for (index, message) in vector.messages.enumerated().dropFirst(2) {
            let fromInitiator = index % 2 == 0
            // In place (the transport assembler's path), from a copy of the same state.
            var inPlaceSender = fromInitiator ? client.sender : server.sender
            var frame = message.payload + [UInt8](repeating: 0, count: NoiseCipherState.tagByteCount)
            _ = try frame.withUnsafeMutableBytes { try inPlaceSender.sealInPlace($0, plaintextCount: message.payload.count) }
            #expect(TestBytes.hexString(frame) == TestBytes.hexString(message.ciphertext), "msg_\(index) in place")
            var inPlaceReceiver = fromInitiator ? server.receiver : client.receiver
            var received = message.ciphertext
            let count = try received.withUnsafeMutableBytes { try inPlaceReceiver.openInPlace($0) }
            #expect(Array(received[..<count]) == message.payload, "msg_\(index) opened in place")

            let sealed = fromInitiator ? try client.sender.seal(message.payload) : try server.sender.seal(message.payload)
            #expect(TestBytes.hexString(sealed) == TestBytes.hexString(message.ciphertext), "msg_\(index)")
            let opened = fromInitiator
                ? try server.receiver.open(message.ciphertext) : try client.receiver.open(message.ciphertext)
            #expect(opened == message.payload, "msg_\(index)")
        }
    }
}
