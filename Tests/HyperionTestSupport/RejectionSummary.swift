/// The SPA gate's periodic log lines about refused datagrams, added up over a server log:
/// `refused 6 datagrams in the last 30 s: 3 authentication failed, 1 stale; the kernel
/// dropped 12 more (receive buffer full)`, or, when only the kernel dropped some,
/// `the kernel dropped 12 datagrams in the last 30 s (receive buffer full)`. The tunnel's
/// own summary (`refused N connections ...`) is not counted.
struct RejectionSummary: Sendable {
    /// How many summary lines the log has.
    var lines = 0
    var refused = 0
    var kernelDrops = 0
    var byReason: [String: Int] = [:]

    init(log: String) {
        for line in log.split(separator: "\n") {
            var isSummary = false
            if let start = line.range(of: "refused ") {
                let summary = line[start.upperBound...]
                let count = summary.prefix { $0.isNumber }
                if let refusedCount = Int(count), summary.dropFirst(count.count).hasPrefix(" datagram") {
                    isSummary = true
                    refused += refusedCount
                    let reasons = summary.split(separator: ";", maxSplits: 1)[0].split(separator: ":", maxSplits: 1).dropFirst().first
                    for item in reasons?.split(separator: ",") ?? [] {
                        let words = item.split(separator: " ")
                        guard let reasonCount = words.first.flatMap({ Int($0) }) else { continue }
                        byReason[words.dropFirst().joined(separator: " "), default: 0] += reasonCount
                    }
                }
            }
            if let dropped = line.range(of: "the kernel dropped ") {
                isSummary = true
                kernelDrops += Int(line[dropped.upperBound...].prefix { $0.isNumber }) ?? 0
            }
            if isSummary { lines += 1 }
        }
    }
}
