// hyperion-spa-probe: a test-only helper that runs an SPAGate from flags, so the
// kernel-level tests can start one inside a network namespace (`ip netns exec`).
// The PSK comes from an environment variable, never from argv. While running, it writes
// the gate's statistics as JSON to --stats-file every 100 ms; SIGTERM or SIGINT stop it.
import Foundation
import HyperionCrypto
import HyperionSPA
import HyperionWire
import Logging

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hyperion-spa-probe: \(message)\n".utf8))
    exit(2)
}

let flags: [String: String] = {
    var flags: [String: String] = [:]
    var arguments = CommandLine.arguments.dropFirst()
    while let flag = arguments.popFirst() {
        guard flag.hasPrefix("--"), let value = arguments.popFirst() else { fail("usage: --flag value ...; got \(flag)") }
        flags[String(flag.dropFirst(2))] = value
    }
    return flags
}()

@MainActor func flag<T: LosslessStringConvertible>(_ name: String, default fallback: T? = nil) -> T {
    guard let text = flags[name] else {
        if let fallback { return fallback }
        fail("--\(name) is required")
    }
    guard let value = T(text) else { fail("--\(name) \(text) is not valid") }
    return value
}

let pskVariable: String = flag("psk-env")
guard let pskText = ProcessInfo.processInfo.environment[pskVariable] else { fail("\(pskVariable) is not set") }
var settings: SPASettings
do {
    settings = SPASettings(
        knockPort: flag("knock-port"), tunnelPort: flag("tunnel-port"),
        knockKey: KnockKey(presharedKey: try PresharedKey(base64: pskText, what: pskVariable)),
        serverPublicKey: try X25519PublicKey(base64: flag("server-pubkey"), what: "--server-pubkey")
    )
} catch {
    fail("\(error)")
}
settings.windowSeconds = flag("window", default: settings.windowSeconds)
settings.cooldownSeconds = flag("cooldown", default: settings.cooldownSeconds)
settings.elementTimeoutSeconds = flag("ttl", default: settings.elementTimeoutSeconds)
settings.summaryIntervalSeconds = flag("summary-interval", default: settings.summaryIntervalSeconds)
settings.table = flag("table", default: settings.table)
settings.set = flag("set", default: settings.set)
settings.set6 = flag("set6", default: settings.set6)
settings.nftPath = flags["nft"]
let statsFile: String = flag("stats-file")

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .info
    return handler
}
let logger = Logger(label: "hyperion.spa")

// Block the stop signals in every thread (the gate's inherits the mask) and wait for
// them synchronously below; the gate resets the mask for the nft processes it spawns.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGTERM)
sigaddset(&stopSignals, SIGINT)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let gate: SPAGate
do {
    gate = try SPAGate.start(settings: settings, logger: logger)
} catch {
    fail("\(error)")
}

func writeStatistics() {
    guard let data = try? JSONEncoder().encode(gate.statistics) else { return }
    let temporary = statsFile + ".tmp"
    if FileManager.default.createFile(atPath: temporary, contents: data) {
        _ = rename(temporary, statsFile)
    }
}

var pollInterval = timespec(tv_sec: 0, tv_nsec: 100_000_000)
while true {
    writeStatistics()
    if sigtimedwait(&stopSignals, nil, &pollInterval) > 0 { break }
}
gate.stop()
writeStatistics()
logger.info("probe stopped")
