import Foundation

/// How many descriptors process `pid` has open.
func openDescriptors(of pid: pid_t) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
}

/// How many TCP sockets of process `pid` are in CLOSE-WAIT: the peer closed, the process
/// never did.
func closeWaitSockets(of pid: pid_t) throws -> Int {
    let sockets = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap { fd -> String? in
        let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")
        guard let target, target.hasPrefix("socket:[") else { return nil }
        return String(target.dropFirst("socket:[".count).dropLast())
    }
    let inodes = Set(sockets)
    var count = 0
    for table in ["/proc/\(pid)/net/tcp", "/proc/\(pid)/net/tcp6"] {
        guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            // Fields: sl local remote st ... inode (the 10th); CLOSE-WAIT is state 08.
            if fields.count > 9, fields[3] == "08", inodes.contains(String(fields[9])) { count += 1 }
        }
    }
    return count
}

/// The resident set of process `pid`, in KiB.
func residentKiB(of pid: pid_t) throws -> Int {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { throw TestFailure("no VmRSS in /proc/\(pid)/status") }
    return kib
}
