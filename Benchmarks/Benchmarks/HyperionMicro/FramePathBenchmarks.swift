import Benchmark
@_spi(Benchmarks) import HyperionCrypto

/// Transport frames (PROTOCOL.md §4): seal with `TransportFrameAssembler`, cut with
/// `TransportFrameParser`, open with `TransportFrameOpener`; a full 16 KiB frame for
/// throughput and a 64-byte one for the per-frame cost that latency pays. "AEAD in place"
/// is the floor under "Frame seal+open": `NoiseCipherState.sealInPlace`/`openInPlace` alone,
/// with the tunnel's cipher and, for comparison, with each implementation by name.
func registerFramePathBenchmarks() {
    for (label, size, scaling) in [("16 KiB", 16_384, BenchmarkScalingFactor.one), ("64 B", 64, .kilo)] {
        let configuration = MicroConfiguration.make(scalingFactor: scaling, derivedMetric: MicroConfiguration.payloadRate)

        let framePathOperations: [(name: String, run: @Sendable (FramePath) throws -> Int)] = [
            ("Frame seal", { try $0.seal() }),
            ("Frame open", { try $0.openFirstFrame() }),
            ("Frame seal+open", { try $0.roundTrip() }),
        ]
        for operation in framePathOperations {
            Benchmark("\(operation.name) \(label)", configuration: configuration) { benchmark, path in
                let clock = IterationClock()
                for _ in benchmark.scaledIterations {
                    blackHole(try operation.run(path))
                }
                clock.stop(benchmark, payloadBytes: path.payloadSize * benchmark.scaledIterations.count)
            } setup: {
                try FramePath(payloadSize: size)
            }
        }

        #if os(Linux)
        let implementations: [(suffix: String, implementation: ChaChaPolyImplementation?)] =
            [("", nil), (" (OpenSSL)", .openSSL), (" (BoringSSL)", .boringSSL)]
        #else
        let implementations: [(suffix: String, implementation: ChaChaPolyImplementation?)] = [("", nil)]
        #endif
        for (suffix, implementation) in implementations {
            Benchmark("AEAD in place seal+open \(label)\(suffix)", configuration: configuration) { benchmark, pair in
                let clock = IterationClock()
                for _ in benchmark.scaledIterations {
                    blackHole(try pair.sealThenOpen())
                }
                clock.stop(benchmark, payloadBytes: pair.payloadSize * benchmark.scaledIterations.count)
            } setup: {
                try CipherPair(payloadSize: size, implementation: implementation)
            }
        }
    }
}
