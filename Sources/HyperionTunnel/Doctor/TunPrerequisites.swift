import HyperionConfig

/// What `doctor` checks before TUN mode is tried, when the config has a `[tun]` section:
/// the device node, the capability to create the device, reverse-path filtering and host
/// firewalls that would drop what TUN mode writes back into the device.
///
/// Everything here is pure: `TunHostFacts` holds what was read from the machine (by
/// `TunHostFacts.gather` on Linux) and each check turns facts into one report line with
/// its fix, so every message is tested with plain values.
public struct TunHostFacts: Sendable {
    /// How opening /dev/net/tun read-write went.
    public enum DeviceNode: Sendable, Equatable {
        case opened
        case missing
        /// The node is there but no driver answers it (ENODEV, ENXIO).
        case noDriver
        case denied
        case failed(String)
    }

    /// What running a tool (nft, iptables-save) gave.
    public enum ToolRun: Sendable, Equatable {
        case notInstalled
        /// It ran and failed; the first line of its error output.
        case failed(String)
        case output(String)
    }

    public var deviceNode: DeviceNode = .opened
    /// The text of /proc/self/status; nil when it could not be read.
    public var procStatus: String?
    public var effectiveUID: UInt32 = 0
    /// The running executable's real path (/proc/self/exe), for the setcap fix.
    public var executable = "hyperion-client"
    /// net.ipv4.conf.all.rp_filter; nil when not readable.
    public var rpFilterAll: Int?
    /// net.ipv4.conf.<interface>.rp_filter of every interface (not `all`, not `default`).
    public var rpFilterInterfaces: [String: Int] = [:]
    public var nft: ToolRun = .notInstalled
    public var iptablesSave: ToolRun = .notInstalled
    public var ip6tablesSave: ToolRun = .notInstalled
    /// The kernel's release (uname -r), for the fast path's TCX; nil when unknown.
    public var kernelRelease: String?

    public init() {}
}

public enum TunPrerequisites {
    /// The report for `[tun]`, in the format of a server's.
    public static func report(_ tun: TunSection, facts: TunHostFacts) -> DoctorReport {
        DoctorReport(
            server: "tun", address: tun.name,
            checks: [device(facts.deviceNode), capability(facts), fastPath(facts, enabled: tun.fastPath), rpFilter(facts, device: tun.name)]
                + nftables(facts.nft, tun: tun) + iptables(facts, tun: tun)
        )
    }

    /// The report when this build cannot run TUN mode at all.
    public static func unavailableReport(_ tun: TunSection, reason: String) -> DoctorReport {
        DoctorReport(server: "tun", address: tun.name, checks: [DoctorCheck(name: "tun mode", outcome: .skipped(reason))])
    }

    static func device(_ node: TunHostFacts.DeviceNode) -> DoctorCheck {
        let container = "in a container, pass the device (docker/podman run --device /dev/net/tun --cap-add NET_ADMIN)"
        let outcome: DoctorCheck.Outcome = switch node {
        case .opened: .passed("/dev/net/tun opens read-write")
        case .missing: .failed("/dev/net/tun does not exist. Fix: load the driver (modprobe tun); \(container)")
        case .noDriver: .failed("/dev/net/tun has no driver behind it. Fix: modprobe tun (or a kernel with CONFIG_TUN); \(container)")
        case .denied: .failed("/dev/net/tun cannot be opened read-write (permission denied). Fix: run as root, or make it mode 0666 as usual; \(container)")
        case let .failed(reason): .failed("cannot open /dev/net/tun read-write: \(reason). Fix: modprobe tun; \(container)")
        }
        return DoctorCheck(name: "device", outcome: outcome)
    }

    static let netAdminBit = 12

    /// The effective capability set of the `CapEff:` line of /proc/PID/status. The server's
    /// twin is HyperionSPA's `EffectiveCapabilities`; the client does not link the SPA gate.
    static func effectiveCapabilities(procStatus text: String) -> UInt64? {
        for line in text.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).drop { $0 == " " || $0 == "\t" }
            guard !hex.isEmpty, hex.count <= 16 else { return nil }
            return UInt64(hex, radix: 16)
        }
        return nil
    }

    /// Whether capability number `bit` is in the set `bits`.
    static func has(_ bits: UInt64, _ bit: Int) -> Bool { bits & (1 << UInt64(bit)) != 0 }

    /// Creating the device (TUNSETIFF), its addresses and its routes need CAP_NET_ADMIN;
    /// being root is not enough when a container or a service manager dropped it.
    static func capability(_ facts: TunHostFacts) -> DoctorCheck {
        guard let bits = facts.procStatus.flatMap(effectiveCapabilities(procStatus:)) else {
            return DoctorCheck(name: "capability", outcome: .skipped("no CapEff line in /proc/self/status: CAP_NET_ADMIN not checked"))
        }
        let root = facts.effectiveUID == 0
        if has(bits, netAdminBit) {
            return DoctorCheck(name: "capability", outcome: .passed("CAP_NET_ADMIN is effective\(root ? " (root)" : " (file or ambient capability)")"))
        }
        let diagnosis = root
            ? "root, but CAP_NET_ADMIN is not effective (a container or service manager dropped it): `tun` cannot create the device. Fix: grant it (docker run --cap-add NET_ADMIN; systemd AmbientCapabilities=CAP_NET_ADMIN)"
            : "no CAP_NET_ADMIN: `tun` cannot create the device. Fix: run it as root (sudo), or give the binary the capability once: sudo setcap cap_net_admin+ep \(facts.executable)"
        return DoctorCheck(name: "capability", outcome: .failed(diagnosis))
    }

    static let sysAdminBit = 21
    static let bpfBit = 39

    /// The kernel fast path (`[tun] fast_path`) loads a BPF program and attaches it through
    /// TCX: CAP_BPF (or CAP_SYS_ADMIN) and Linux 6.6. Without either TUN mode still works,
    /// every packet through the TUN, so this warns rather than fails.
    static func fastPath(_ facts: TunHostFacts, enabled: Bool) -> DoctorCheck {
        guard enabled else { return DoctorCheck(name: "fast path", outcome: .skipped("off in [tun] (fast_path = false)")) }
        let slower = "TUN mode works, but every packet takes the TUN, which is slower"
        if let release = facts.kernelRelease, let version = kernelVersion(release), version < (6, 6) {
            return DoctorCheck(name: "fast path", outcome: .warned(
                "Linux \(release) has no TCX (6.6 and later): \(slower). Fix: a newer kernel, or fast_path = false in [tun] to stop trying"))
        }
        guard let bits = facts.procStatus.flatMap(effectiveCapabilities(procStatus:)) else {
            return DoctorCheck(name: "fast path", outcome: .skipped("no CapEff line in /proc/self/status: CAP_BPF not checked"))
        }
        if has(bits, bpfBit) || has(bits, sysAdminBit) {
            return DoctorCheck(name: "fast path", outcome: .passed("CAP_BPF is effective: established flows can skip the TUN"))
        }
        return DoctorCheck(name: "fast path", outcome: .warned(
            "no CAP_BPF: \(slower). Fix: run it as root, or give the binary both capabilities: sudo setcap cap_net_admin,cap_bpf+ep \(facts.executable)"))
    }

    /// "6.18.44-fc-v1300" → (6, 18); nil when it does not start with two numbers.
    static func kernelVersion(_ release: String) -> (Int, Int)? {
        let parts = release.split(separator: ".", maxSplits: 2)
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber }) else { return nil }
        return (major, minor)
    }

    /// Reverse-path filtering, which TUN mode needs loose (2) or off (0) on the interfaces
    /// the tunnel reaches its servers through, and not on the TUN itself.
    ///
    /// The kernel filters a packet arriving on an interface by max(all, interface); strict
    /// (1) drops it when the route back to its source leaves by another interface. The
    /// reverse lookup carries no mark, and print-routes routes each server's own address
    /// into the TUN (`to <ip> not fwmark <mark>`): so a server's answer to the tunnel's own
    /// connection, arriving on eth0, looks misrouted and is dropped, and no tunnel comes up.
    /// Checked in network namespaces: with all=1 every flow failed with "no route to host";
    /// with eth0 loose and the TUN strict (1), real and fake addresses, IPv4 and IPv6,
    /// carried byte-exact echoes; with only eth0 strict, flows failed until eth0 was set
    /// to 2. (Connections already up survive a change to strict: early demux skips the
    /// check for established sockets.)
    ///
    /// Which interface leads to the servers is not known here, so: every other interface
    /// strict fails; some strict is a warning that names them.
    static func rpFilter(_ facts: TunHostFacts, device: String) -> DoctorCheck {
        guard let all = facts.rpFilterAll else {
            return DoctorCheck(name: "rp_filter", outcome: .skipped("net.ipv4.conf.all.rp_filter not readable: not checked"))
        }
        let uplinks = facts.rpFilterInterfaces.filter { $0.key != "lo" && $0.key != device }
        let strict = uplinks.filter { max(all, $0.value) == 1 }.keys.sorted()
        guard !strict.isEmpty else {
            return DoctorCheck(name: "rp_filter", outcome: .passed("all=\(all), no interface strict (\(device) may be)"))
        }
        let values = strict.map { "\($0)=\(uplinks[$0]!)" }.joined(separator: ", ")
        let fix = all == 1
            ? "sysctl -w net.ipv4.conf.all.rp_filter=2"
            : "sysctl -w " + strict.map { "net.ipv4.conf.\($0).rp_filter=2" }.joined(separator: " ")
        let diagnosis = "strict reverse-path filtering (all=\(all), \(values)) drops the servers' answers to the tunnel's connections: "
            + "print-routes routes each server's address into \(device), so they look misrouted. Fix: \(fix) (loose; add it to /etc/sysctl.d to keep it)"
        let everywhere = strict.count == uplinks.count
        return DoctorCheck(name: "rp_filter", outcome: everywhere ? .failed(diagnosis) : .warned("if the servers are reached through \(strict.joined(separator: " or ")), " + diagnosis))
    }

    /// Base chains that would drop TUN mode's new connections, each with its fix.
    static func nftables(_ run: TunHostFacts.ToolRun, tun: TunSection) -> [DoctorCheck] {
        let text: String
        switch run {
        case .notInstalled: return [DoctorCheck(name: "nftables", outcome: .skipped("nft not installed: not checked"))]
        case let .failed(reason): return [DoctorCheck(name: "nftables", outcome: .skipped("nft list ruleset failed (\(reason)): not checked; run doctor as root to check it"))]
        case let .output(output): text = output
        }
        guard let ruleset = NftablesRuleset(json: text) else {
            return [DoctorCheck(name: "nftables", outcome: .skipped("nft -j list ruleset printed no JSON ruleset: not checked"))]
        }
        let drops = droppingChains(ruleset, tun: tun)
        guard !drops.isEmpty else {
            let count = Set(ruleset.inboundBaseChains(for: .v4).map(\.id) + ruleset.inboundBaseChains(for: .v6).map(\.id)).count
            return [DoctorCheck(name: "nftables", outcome: .passed("no input chain drops new connections on \(tun.name) (\(count) base chain\(count == 1 ? "" : "s") checked)"))]
        }
        return drops.map { chain, families, reason in
            DoctorCheck(name: "nftables", outcome: .warned(
                "\(chain) drops new connections arriving on \(tun.name) (\(families)) by \(reason): TUN mode's listener would never see them. "
                    + "Fix: nft insert rule \(chain) iifname \"\(tun.name)\" accept"
            ))
        }
    }

    /// The chains that drop the probe of either family, in ruleset order, with the families
    /// and the reason for the first one.
    static func droppingChains(_ ruleset: NftablesRuleset, tun: TunSection) -> [(NftablesRuleset.ChainID, String, String)] {
        let probes = [
            TunInputProbe(interface: tun.name, source: tun.peerAddress, destination: tun.address),
            TunInputProbe(interface: tun.name, source: tun.peerAddress6, destination: tun.address6),
        ]
        var found: [NftablesRuleset.ChainID: (families: [String], reason: String)] = [:]
        for probe in probes {
            let verdict = NftablesInputVerdict(ruleset: ruleset, probe: probe)
            for chain in ruleset.inboundBaseChains(for: probe.family) {
                guard case let .dropped(reason) = verdict.outcome(of: chain) else { continue }
                found[chain.id, default: ([], reason)].families.append(probe.family == .v4 ? "IPv4" : "IPv6")
            }
        }
        return ruleset.order.compactMap { id in found[id].map { (id, $0.families.joined(separator: " and "), $0.reason) } }
    }

    static func iptables(_ facts: TunHostFacts, tun: TunSection) -> [DoctorCheck] {
        [("iptables", facts.iptablesSave, "iptables"), ("ip6tables", facts.ip6tablesSave, "ip6tables")].map { name, run, command in
            let outcome: DoctorCheck.Outcome
            switch run {
            case .notInstalled:
                outcome = .skipped("\(command)-save not installed: not checked")
            case let .failed(reason):
                outcome = .skipped("\(command)-save failed (\(reason)): not checked; run doctor as root to check it")
            case let .output(text):
                let input = IptablesInputPolicy(save: text)
                if input.isNftBackend, case .output = facts.nft {
                    outcome = .skipped("\(command) uses nftables here: its rules were checked above")
                } else if input.policy == nil {
                    outcome = .passed("no filter INPUT chain")
                } else if input.dropsNewConnections(on: tun.name) {
                    outcome = .warned(
                        "INPUT drops new connections arriving on \(tun.name) (policy \(input.policy!)): TUN mode's listener would never see them. "
                            + "Fix: \(command) -I INPUT -i \(tun.name) -j ACCEPT"
                    )
                } else {
                    outcome = .passed("INPUT lets new connections on \(tun.name) through")
                }
            }
            return DoctorCheck(name: name, outcome: outcome)
        }
    }
}
