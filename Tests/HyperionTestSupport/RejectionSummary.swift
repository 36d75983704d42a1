/// The SPA gate's periodic log line about refused datagrams, added up over a server log:
/// `refused 6 datagrams in the last 30 s: authentication failed 3, stale 1; the kernel
/// dropped 12 more (receive buffer full)`.
struct RejectionSummary: Sendable {
    /// How many summary lines the log has.
    var lines = 0
    var refused = 0
    var kernelDrops = 0
    var byReason: [String: Int] = [:]

    init(log: String) {
        for line in log.split(separator: "\n") {
            guard let start = line.range(of: "refused "), line[start.upperBound...].contains(" in the last ") else { continue }
            let summary = line[start.upperBound...]
            lines += 1
            refused += Int(summary.prefix { $0.isNumber }) ?? 0
            let parts = summary.split(separator: ";", maxSplits: 1)
            if let reasons = parts.first?.split(separator: ":", maxSplits: 1).dropFirst().first {
                for item in reasons.split(separator: ",") {
                    let words = item.split(separator: " ")
                    guard let count = words.last.flatMap({ Int($0) }) else { continue }
                    byReason[words.dropLast().joined(separator: " "), default: 0] += count
                }
            }
            if parts.count == 2, let dropped = parts[1].range(of: "dropped ") {
                kernelDrops += Int(parts[1][dropped.upperBound...].prefix { $0.isNumber }) ?? 0
            }
        }
    }
}
