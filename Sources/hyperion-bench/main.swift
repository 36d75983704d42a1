// hyperion-bench: timing tools for the benchmarks. Not a test; run it from a release build
// (scripts/bench and scripts/bench-argon2.sh do that).
//
//   hyperion-bench argon2 [--runs N]        Argon2id with the v1 parameters, N timed runs
//   hyperion-bench echo [--port P]          a loopback echo service; prints its port
//   hyperion-bench pingpong --port P [--count N] [--size B] [--warmup W]
//                                           round trips on one connection, in µs
//   hyperion-bench open --port P [--count N] [--warmup W]
//                                           connect + 1-byte echo per connection, in µs
import HyperionCrypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

func printError(_ text: String) {
    // write(2) rather than the C `stderr` global, which Swift 6 treats as shared mutable state.
    var bytes = Array(text.utf8)
    _ = write(2, &bytes, bytes.count)
}

func usage() -> Never {
    printError("""
        usage: hyperion-bench argon2 [--runs N]
               hyperion-bench echo [--port P]
               hyperion-bench pingpong --port P [--count N] [--size B] [--warmup W]
               hyperion-bench open --port P [--count N] [--warmup W]

        """)
    exit(2)
}

/// Monotonic clock in milliseconds; wall time is what a user waiting for a key sees.
func nowMilliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}

func benchArgon2(runs: Int) throws {
    let password = Array("correct horse battery staple".utf8)
    let salt = Array("change-me-shared-salt".utf8)
    let p = Argon2id.Parameters.hyperionV1
    // One untimed run faults in the pages and warms the caches, as the C runs get too.
    _ = try Argon2id.hash(password: password, salt: salt, parameters: p)
    var times = [Double]()
    for _ in 0..<runs {
        let start = nowMilliseconds()
        let tag = try Argon2id.hash(password: password, salt: salt, parameters: p)
        times.append(nowMilliseconds() - start)
        precondition(tag.count == p.outputLength)
    }
    times.sort()
    let median = times.count % 2 == 1
        ? times[times.count / 2]
        : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    print("argon2id m=\(p.memoryKiB) t=\(p.iterations) p=\(p.parallelism) len=\(p.outputLength) runs=\(runs)"
        + " median_ms=\(format3(median)) min_ms=\(format3(times[0]))")
}

/// Three decimals without Foundation.
func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
}

/// `--name value` options of one subcommand, each a bounded integer.
func integerOptions(_ arguments: ArraySlice<String>, allowed: [String: ClosedRange<Int>]) -> [String: Int] {
    var arguments = arguments
    var values: [String: Int] = [:]
    while let option = arguments.popFirst() {
        guard let range = allowed[option], let text = arguments.popFirst(), let value = Int(text), range.contains(value) else {
            printError("hyperion-bench: bad option \(option)\n")
            usage()
        }
        values[option] = value
    }
    return values
}

var arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.popFirst() else { usage() }
let port = 1...65535
do {
    switch command {
    case "argon2":
        let options = integerOptions(arguments, allowed: ["--runs": 1...1000])
        try benchArgon2(runs: options["--runs"] ?? 10)
    case "echo":
        let options = integerOptions(arguments, allowed: ["--port": 0...65535])
        try runEchoService(port: UInt16(options["--port"] ?? 0))
    case "pingpong":
        let options = integerOptions(arguments, allowed: ["--port": port, "--count": 1...10_000_000, "--size": 1...1_048_576, "--warmup": 0...1_000_000])
        guard let target = options["--port"] else { usage() }
        try runPingPong(port: UInt16(target), count: options["--count"] ?? 10_000, size: options["--size"] ?? 64, warmup: options["--warmup"] ?? 200)
    case "open":
        let options = integerOptions(arguments, allowed: ["--port": port, "--count": 1...1_000_000, "--warmup": 0...100_000])
        guard let target = options["--port"] else { usage() }
        try runOpenLatency(port: UInt16(target), count: options["--count"] ?? 1000, warmup: options["--warmup"] ?? 20)
    default:
        usage()
    }
} catch {
    printError("hyperion-bench: \(error)\n")
    exit(1)
}
