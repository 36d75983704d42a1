// hyperion-bench: timing harness for HyperionCrypto primitives. Not a test; run it from a
// release build (scripts/bench-argon2.sh does that and compares against the C reference).
//
//   hyperion-bench argon2 [--runs N]   Argon2id with the v1 parameters, N timed runs
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
    printError("usage: hyperion-bench argon2 [--runs N]\n")
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
switch command {
case "argon2":
    var runs = 10
    while let option = arguments.popFirst() {
        guard option == "--runs", let value = arguments.popFirst(), let n = Int(value), n >= 1 else { usage() }
        runs = n
    }
    do {
        try benchArgon2(runs: runs)
    } catch {
        printError("hyperion-bench: \(error)\n")
        exit(1)
    }
default:
    usage()
}
