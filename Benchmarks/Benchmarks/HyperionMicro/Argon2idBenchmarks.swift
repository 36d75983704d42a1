import Benchmark
import HyperionCrypto

/// Argon2id with the v1 parameters of PROTOCOL.md §2 (19456 KiB, 2 passes, 1 lane, 32-byte
/// output), through the call a passphrase key source makes. Tens of milliseconds per
/// derivation, so only ten of them.
func registerArgon2idBenchmarks() {
    let configuration = MicroConfiguration.make(warmupIterations: 1, maxDuration: .seconds(3), maxIterations: 10)

    Benchmark("Argon2id PSK derivation (v1 parameters)", configuration: configuration) { benchmark in
        blackHole(try Argon2id.derivePresharedKey(passphrase: "correct horse battery staple", salt: "hyperion-fleet"))
    }
}
