import Benchmark

/// The yamux codec (PROTOCOL.md §5) on decrypted bytes: `YamuxFrameSplitter` (and the
/// `YamuxFrameParser` and header decoding under it) over one read full of data frames, and
/// header encoding. One iteration handles every frame of the buffer; the time per frame or
/// header is recorded beside the time per iteration.
func registerYamuxCodecBenchmarks() {
    let perFrame = MicroConfiguration.timePerItem("frame")
    let splits = [
        ("Yamux split 64 × 16 KiB data frames", 64, 16_384),
        ("Yamux split 1000 × 64 B data frames", 1000, 64),
    ]
    for (name, frameCount, payloadSize) in splits {
        Benchmark(name, configuration: MicroConfiguration.make(derivedMetric: perFrame)) { benchmark, traffic in
            let clock = IterationClock()
            blackHole(try traffic.splitAll())
            clock.stop(benchmark, items: traffic.frameCount, as: perFrame)
        } setup: { () throws -> YamuxTraffic in
            let traffic = YamuxTraffic(frameCount: frameCount, payloadSize: payloadSize)
            guard try traffic.splitAll() == traffic.payloadBytes else {
                throw FixtureError("the splitter lost payload bytes")
            }
            return traffic
        }
    }

    let perHeader = MicroConfiguration.timePerItem("header")
    Benchmark("Yamux encode 1000 headers", configuration: MicroConfiguration.make(derivedMetric: perHeader)) { benchmark, writer in
        let clock = IterationClock()
        blackHole(writer.writeAll())
        clock.stop(benchmark, items: writer.headers.count, as: perHeader)
    } setup: {
        YamuxHeaderWriter(count: 1000)
    }
}
