// hyperion-bench: timing tools for the benchmarks. Not a test; run it from a release build
// (scripts/bench and scripts/bench-argon2.sh do that).
//
//   hyperion-bench argon2 [--runs N]        Argon2id with the v1 parameters, N timed runs
//   hyperion-bench echo [--port P]          a loopback echo service; prints its port
//   hyperion-bench pingpong --port P [--count N] [--size B] [--warmup W]
//                                           round trips on one connection, in µs
//   hyperion-bench open --port P [--count N] [--warmup W]
//                                           connect + 1-byte echo per connection, in µs
//   hyperion-bench x25519 [--runs N] [--batches B]
//                                           µs per X25519 operation, in this process
//   hyperion-bench handshakes --port P KEYS [--count N] [--concurrency C]
//                                           complete tunnel handshakes as a v1 client
//   hyperion-bench cold [--host IPV4] --port P --target T KEYS [--count N] [--warmup W]
//                                           connect + handshake + stream + 1-byte echo, in µs
// KEYS: --admin-key FILE --server-pubkey BASE64 --psk-file FILE (secrets only in files).
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
               hyperion-bench x25519 [--runs N] [--batches B]
               hyperion-bench handshakes --port P KEYS [--count N] [--concurrency C]
               hyperion-bench cold [--host IPV4] --port P --target T KEYS [--count N] [--warmup W]
        KEYS: --admin-key FILE --server-pubkey BASE64 --psk-file FILE

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

var arguments = CommandLine.arguments.dropFirst()
guard let command = arguments.popFirst() else { usage() }
let port = 1...65535
do {
    switch command {
    case "argon2":
        let options = BenchOptions(arguments, integers: ["--runs": 1...1000])
        try benchArgon2(runs: options[integer: "--runs"] ?? 10)
    case "echo":
        let options = BenchOptions(arguments, integers: ["--port": 0...65535])
        try runEchoService(port: UInt16(options[integer: "--port"] ?? 0))
    case "pingpong":
        let options = BenchOptions(arguments, integers: ["--port": port, "--count": 1...10_000_000, "--size": 1...1_048_576, "--warmup": 0...1_000_000])
        guard let target = options[integer: "--port"] else { usage() }
        try runPingPong(
            port: UInt16(target), count: options[integer: "--count"] ?? 10_000, size: options[integer: "--size"] ?? 64,
            warmup: options[integer: "--warmup"] ?? 200
        )
    case "open":
        let options = BenchOptions(arguments, integers: ["--port": port, "--count": 1...1_000_000, "--warmup": 0...100_000])
        guard let target = options[integer: "--port"] else { usage() }
        try runOpenLatency(port: UInt16(target), count: options[integer: "--count"] ?? 1000, warmup: options[integer: "--warmup"] ?? 20)
    case "x25519":
        let options = BenchOptions(arguments, integers: ["--runs": 1...1_000_000, "--batches": 1...1000])
        try runX25519Cost(runs: options[integer: "--runs"] ?? 2000, batches: options[integer: "--batches"] ?? 7)
    case "handshakes":
        let options = BenchOptions(
            arguments, integers: ["--port": port, "--count": 1...10_000_000, "--concurrency": 1...64], strings: TunnelKeys.optionNames
        )
        guard let target = options[integer: "--port"] else { usage() }
        NoiseCipherState.prepareTransportCipher()  // as a real client does at start, outside the timing
        try runHandshakes(
            port: UInt16(target), keys: try TunnelKeys(options), count: options[integer: "--count"] ?? 2000,
            concurrency: options[integer: "--concurrency"] ?? 2
        )
    case "cold":
        let options = BenchOptions(
            arguments, integers: ["--port": port, "--target": port, "--count": 1...1_000_000, "--warmup": 0...100_000],
            strings: TunnelKeys.optionNames.union(["--host"])
        )
        guard let tunnel = options[integer: "--port"], let target = options[integer: "--target"] else { usage() }
        NoiseCipherState.prepareTransportCipher()  // as a real client does at start, outside the timing
        try runColdConnect(
            host: options[string: "--host"] ?? "127.0.0.1", port: UInt16(tunnel), target: UInt16(target), keys: try TunnelKeys(options), count: options[integer: "--count"] ?? 200,
            warmup: options[integer: "--warmup"] ?? 5
        )
    default:
        usage()
    }
} catch {
    printError("hyperion-bench: \(error)\n")
    exit(1)
}
