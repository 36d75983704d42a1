import Benchmark

// The suite's entry point: the BenchmarkPlugin generates a `main` that calls `benchmarks()`.
// Each group is in its own file; the fixtures they drive are in Fixtures/.
let benchmarks: @Sendable () -> Void = {
    registerFramePathBenchmarks()
    registerYamuxCodecBenchmarks()
    registerHandshakeBenchmarks()
    registerArgon2idBenchmarks()
}
