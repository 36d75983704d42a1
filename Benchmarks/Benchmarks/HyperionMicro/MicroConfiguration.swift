import Benchmark

/// What every benchmark of the suite measures, for how long, and what counts as a regression.
enum MicroConfiguration {
    /// Payload bytes per second, in MB/s (10^6), for the benchmarks that move bytes.
    static let payloadRate = BenchmarkMetric.custom("Payload (MB/s)", polarity: .prefersLarger, useScalingFactor: false)

    /// Nanoseconds per frame or header, for the benchmarks that handle many in one iteration.
    static func timePerItem(_ item: String) -> BenchmarkMetric {
        .custom("Time per \(item) (ns)", polarity: .prefersSmaller, useScalingFactor: false)
    }

    /// Only metrics that need no reading of /proc during the measured region: the
    /// operating-system metrics (CPU time, resident memory) allocate while they are read,
    /// and those allocations would be counted as ours.
    static let metrics: [BenchmarkMetric] = [.wallClock, .throughput, .mallocCountTotal]

    /// - Parameters:
    ///   - scalingFactor: `.kilo` for operations well under a microsecond, so that the
    ///     benchmark's own bookkeeping is spread over 1000 of them.
    ///   - derivedMetric: a custom metric the benchmark records itself (`IterationClock`).
    static func make(
        scalingFactor: BenchmarkScalingFactor = .one,
        warmupIterations: Int = 10,
        maxDuration: Duration = .seconds(1),
        maxIterations: Int = 10_000,
        derivedMetric: BenchmarkMetric? = nil
    ) -> Benchmark.Configuration {
        .init(
            metrics: metrics + (derivedMetric.map { [$0] } ?? []),
            warmupIterations: warmupIterations,
            scalingFactor: scalingFactor,
            maxDuration: maxDuration,
            maxIterations: maxIterations,
            thresholds: thresholds(derivedMetric: derivedMetric)
        )
    }

    /// Time on a shared VM wobbles by 10-20 %, so only a larger change of the median is a
    /// regression; allocation counts do not wobble, so any new allocation is one.
    private static func thresholds(derivedMetric: BenchmarkMetric?) -> [BenchmarkMetric: BenchmarkThresholds] {
        let time = BenchmarkThresholds(relative: [.p50: 20])
        var thresholds: [BenchmarkMetric: BenchmarkThresholds] = [
            .wallClock: time,
            .throughput: time,
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p50: 0]),
        ]
        if let derivedMetric { thresholds[derivedMetric] = time }
        return thresholds
    }
}

/// Times one iteration with the benchmark's own clock, for a metric derived from its time.
/// Each `stop` ends the measured region first, so that recording the value is neither
/// timed nor counted in the allocations.
struct IterationClock {
    private let start = ContinuousClock.now

    /// Records `bytes` over the time since this clock was made, as `payloadRate`.
    func stop(_ benchmark: Benchmark, payloadBytes bytes: Int) {
        let seconds = stop(benchmark)
        guard seconds > 0 else { return }
        benchmark.measurement(MicroConfiguration.payloadRate, Int(Double(bytes) / seconds / 1e6))
    }

    /// Records the time since this clock was made divided by `count`, as `metric`.
    func stop(_ benchmark: Benchmark, items count: Int, as metric: BenchmarkMetric) {
        let seconds = stop(benchmark)
        benchmark.measurement(metric, Int((seconds * 1e9 / Double(count)).rounded()))
    }

    private func stop(_ benchmark: Benchmark) -> Double {
        let elapsed = start.duration(to: .now)
        benchmark.stopMeasurement()
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
