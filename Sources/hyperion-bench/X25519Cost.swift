// `hyperion-bench x25519`: what one X25519 operation costs in this process, the yardstick
// of the handshake goal (the responder does four: es, ss, ee, se). Three figures, each the
// median over `batches` batches of `runs` operations:
//   dh_us           swift-crypto's Curve25519.KeyAgreement, sharedSecretFromKeyAgreement
//   keygen_us       a new key pair (one fixed-base scalar multiplication plus randomness):
//                   the responder's ephemeral, a fifth operation the goal does not count
//   hyperion_dh_us  HyperionCrypto's X25519SecretKey.sharedSecret, what the handshake
//                   calls (the same DH plus the all-zero check and array copies)
//   responder_us    the server's share of a whole Noise_IKpsk2 handshake in memory: a
//                   fresh responder reads message 1 (es, ss), writes message 2 (ee, se,
//                   its ephemeral) and splits; no sockets, so this is the handshake's own
//                   cost against the four DH it cannot avoid
import Crypto
import HyperionCrypto

func runX25519Cost(runs: Int, batches: Int) throws {
    let local = Curve25519.KeyAgreement.PrivateKey()
    let peer = Curve25519.KeyAgreement.PrivateKey().publicKey
    let hyperionLocal = X25519SecretKey.generate()
    let hyperionPeer = X25519SecretKey.generate().publicKey
    var sink: UInt8 = 0

    let dh = try medianCost(runs: runs, batches: batches) {
        sink ^= try local.sharedSecretFromKeyAgreement(with: peer).withUnsafeBytes { $0[0] }
    }
    let keygen = try medianCost(runs: runs, batches: batches) {
        sink ^= Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation[0]
    }
    let hyperionDH = try medianCost(runs: runs, batches: batches) {
        sink ^= try hyperionLocal.sharedSecret(with: hyperionPeer)[0]
    }
    let serverKey = X25519SecretKey.generate()
    let presharedKey = try PresharedKey(rawBytes: [UInt8](repeating: 7, count: 32))
    var initiator = NoiseInitiator(
        prologue: HyperionNoise.prologue, localStatic: X25519SecretKey.generate(),
        remoteStatic: serverKey.publicKey, presharedKey: presharedKey
    )
    // A responder keeps no replay state, so each fresh one accepts the same message 1.
    let message1 = try initiator.writeMessage1()
    let responder = try medianCost(runs: max(1, runs / 4), batches: batches) {
        var responder = NoiseResponder(prologue: HyperionNoise.prologue, localStatic: serverKey, presharedKey: presharedKey)
        _ = try responder.readMessage1(message1)
        sink ^= try responder.writeMessage2()[0]
        _ = try responder.split()
    }
    print("x25519 runs=\(runs) batches=\(batches) dh_us=\(format3(dh)) keygen_us=\(format3(keygen))"
        + " hyperion_dh_us=\(format3(hyperionDH)) responder_us=\(format3(responder)) sink=\(sink & 1)")
}

/// µs per call of `body`: one untimed batch to warm up, then the median batch.
private func medianCost(runs: Int, batches: Int, _ body: () throws -> Void) throws -> Double {
    for _ in 0..<runs { try body() }
    var perCall = [Double]()
    for _ in 0..<batches {
        let start = nowMicroseconds()
        for _ in 0..<runs { try body() }
        perCall.append((nowMicroseconds() - start) / Double(runs))
    }
    perCall.sort()
    return perCall[perCall.count / 2]
}
