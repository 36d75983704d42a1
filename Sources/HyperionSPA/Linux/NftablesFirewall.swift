#if os(Linux)
import Glibc
import HyperionProcess

/// Opens the tunnel port for one address by adding it to the knock set, and checks at
/// start that the admin's base ruleset is in place. Runs `nft` through `ChildProcess`.
public struct NftablesFirewall: Sendable {
    public static let searchPath = ["/usr/sbin/nft", "/sbin/nft", "/usr/local/sbin/nft", "/usr/bin/nft", "/bin/nft"]

    public let commands: NftablesCommand
    public let tunnelPort: UInt16
    public let elementTimeoutSeconds: UInt64
    /// Nil when no nft binary was found; `verifyReady` says so.
    public let nftPath: String?
    /// Where `verifyReady` reads the effective capabilities; tests point it elsewhere.
    var procStatusPath = "/proc/self/status"

    public init(settings: SPASettings) throws(SPAError) {
        commands = NftablesCommand(
            table: try NftablesIdentifier(settings.table, what: "the table name"),
            set: try NftablesIdentifier(settings.set, what: "the IPv4 set name"),
            set6: try NftablesIdentifier(settings.set6, what: "the IPv6 set name")
        )
        tunnelPort = settings.tunnelPort
        elementTimeoutSeconds = settings.elementTimeoutSeconds
        let candidates = settings.nftPath.map { [$0] } ?? Self.searchPath
        nftPath = candidates.first { access($0, X_OK) == 0 }
    }

    /// Adds `address` to its set with the configured timeout.
    public func allow(_ address: IPAddress) throws(SPAError) {
        try run(commands.addElement(address, timeoutSeconds: elementTimeoutSeconds), doing: "add \(address) to the knock set")
    }

    /// Checks that the gate can work before it starts: CAP_NET_RAW and CAP_NET_ADMIN
    /// effective, nft present, the table and both sets there with the right type and
    /// `flags timeout`. Throws one error listing everything missing, and how to fix it.
    public func verifyReady() throws(SPAError) {
        var problems: [String] = []
        let capabilities = readSmallFile(procStatusPath).flatMap(EffectiveCapabilities.init(procStatus:))
        let missing = [("CAP_NET_RAW", EffectiveCapabilities.netRaw), ("CAP_NET_ADMIN", EffectiveCapabilities.netAdmin)]
            .filter { capabilities?.contains($0.1) != true }.map(\.0)
        if !missing.isEmpty {
            problems.append("\(missing.joined(separator: " and ")) \(missing.count == 1 ? "is" : "are") not effective (run the server as root or grant the capabilities)")
        }
        var firewallProblems: [String] = []
        if let nftPath {
            firewallProblems = tableProblems(nftPath)
        } else {
            firewallProblems = ["nft was not found in \(Self.searchPath.joined(separator: ", ")) (install nftables)"]
        }
        problems += firewallProblems
        guard problems.isEmpty else {
            let hint = firewallProblems.isEmpty ? "" : " \(applyHint)"
            throw SPAError(.notReady, "the SPA gate cannot start: \(problems.joined(separator: "; ")).\(hint)")
        }
    }

    /// Empties both sets, removing addresses a previous run left behind with time still on
    /// their clocks: this run's cooldown knows nothing about them.
    ///
    /// Safe for connections already open: the ruleset accepts `ct state established,related`
    /// before it looks at the sets, so established tunnels survive through conntrack; only
    /// a new connection needs an element, and a client gets one by knocking again.
    public func reconcile() throws(SPAError) {
        for set in [commands.set, commands.set6] {
            try run(commands.flushSet(set), doing: "empty the set inet \(commands.table) \(set)")
        }
    }

    /// What the admin should run, with the names this server uses.
    var applyHint: String {
        var arguments = "--tunnel-port \(tunnelPort)"
        if commands.table.name != FirewallRuleset.defaultTable { arguments += " --table \(commands.table)" }
        if commands.set.name != FirewallRuleset.defaultSet { arguments += " --set \(commands.set)" }
        if commands.set6.name != FirewallRuleset.defaultSet6 { arguments += " --set6 \(commands.set6)" }
        return "Review the base firewall and apply it first (it sets policy drop on input; have console access): "
            + "hyperion-server print-firewall \(arguments) | nft -f -"
    }

    private func tableProblems(_ nftPath: String) -> [String] {
        let table = try? ChildProcess.run(nftPath, commands.listTable())
        guard let table, table.succeeded else {
            let detail = table.map { Self.firstLine($0.standardError) } ?? "could not run nft"
            // nft says ENOENT for a missing table; anything else (EPERM without
            // CAP_NET_ADMIN, a broken nft) is reported as it is.
            return detail.contains("No such file or directory")
                ? ["the nftables table inet \(commands.table) does not exist"]
                : ["nft could not list the table inet \(commands.table): \(detail)"]
        }
        return [(commands.set, "ipv4_addr"), (commands.set6, "ipv6_addr")].compactMap { set, type in
            guard let listing = try? ChildProcess.run(nftPath, commands.listSet(set)), listing.succeeded else {
                return "the set \(set) (type \(type), flags timeout) is missing from table inet \(commands.table)"
            }
            let text = listing.standardOutput
            guard text.contains("type \(type)"), text.contains("flags timeout") else {
                return "the set inet \(commands.table) \(set) is not of type \(type) with flags timeout"
            }
            return nil
        }
    }

    private func run(_ arguments: [String], doing what: String) throws(SPAError) {
        guard let nftPath else {
            throw SPAError(.firewallCommandFailed, "could not \(what): nft was not found (install nftables)")
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(nftPath, arguments)
        } catch {
            throw SPAError(.firewallCommandFailed, "could not \(what): \(error)")
        }
        guard outcome.succeeded else {
            throw SPAError(.firewallCommandFailed, "could not \(what): nft failed: \(Self.firstLine(outcome.standardError))")
        }
    }

    /// The first line of nft's error output, bounded: enough to say what went wrong.
    static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? "no error output"
        return String(line.prefix(300))
    }
}

/// The first 64 KiB of a file, or nil.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: 64 << 10)
    var filled = 0
    while filled < bytes.count {
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
        if count < 0 && errno == EINTR { continue }
        guard count > 0 else { break }
        filled += count
    }
    return String(decoding: bytes[0..<filled], as: UTF8.self)
}
#endif
