import Foundation
import Testing

/// The kernel-level TUN tests need root (CAP_NET_ADMIN), /dev/net/tun and `ip` (only to
/// look at the result). Without them they skip with a message; with CI=true a skip is
/// recorded as a failure, so CI cannot pass by skipping.
enum KernelTestRequirement {
    static func met(_ test: String) -> Bool {
        var missing: [String] = []
        if geteuid() != 0 { missing.append("root") }
        if !FileManager.default.fileExists(atPath: "/dev/net/tun") { missing.append("/dev/net/tun") }
        if IPCommand.path == nil { missing.append("ip") }
        guard !missing.isEmpty else { return true }
        let message = "skipping \(test): it needs \(missing.joined(separator: ", "))"
        print(message)
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(message), and CI=true does not allow skips")
        }
        return false
    }
}
