import Benchmark
import Crypto

/// Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s in memory, and the X25519 floor under it.
///
/// A whole handshake runs 8 X25519 (4 per side: es, ss, ee, se) plus two ephemeral key
/// generations; the server's share is 4 X25519 plus one key generation. "X25519 × 4" is the
/// floor for the server's share, so `Handshake, server side / X25519 × 4` is the overhead of
/// everything else (BLAKE2s, HKDF, ChaChaPoly, our arrays) and can never go below about 1.
func registerHandshakeBenchmarks() {
    let configuration = MicroConfiguration.make(warmupIterations: 5)

    Benchmark("Handshake IKpsk2, both sides", configuration: configuration) { benchmark, peers in
        blackHole(try peers.handshake())
    } setup: {
        try HandshakePeers()
    }

    Benchmark("Handshake IKpsk2, server side", configuration: configuration) { benchmark, peers in
        blackHole(try peers.respond())
    } setup: {
        try HandshakePeers()
    }

    Benchmark("X25519 × 4 (swift-crypto)", configuration: configuration) { benchmark, pairs in
        for (secret, peer) in pairs {
            blackHole(try secret.sharedSecretFromKeyAgreement(with: peer))
        }
    } setup: {
        (0..<4).map { _ in
            (Curve25519.KeyAgreement.PrivateKey(), Curve25519.KeyAgreement.PrivateKey().publicKey)
        }
    }
}
