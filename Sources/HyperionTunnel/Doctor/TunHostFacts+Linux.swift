#if os(Linux)
import Foundation
import HyperionProcess
import Glibc

extension TunHostFacts {
    /// Reads this machine. Needs no privilege: what an ordinary user cannot read is
    /// reported as not checked, never as a failure of doctor itself. Changes nothing (the
    /// device node is opened and closed, no device is created).
    public static func gather() -> TunHostFacts {
        var facts = TunHostFacts()
        facts.deviceNode = openDeviceNode()
        facts.procStatus = readFile("/proc/self/status")
        facts.effectiveUID = geteuid()
        facts.kernelRelease = readFile("/proc/sys/kernel/osrelease")?.trimmingCharacters(in: .whitespacesAndNewlines)
        facts.executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let conf = "/proc/sys/net/ipv4/conf/"
        facts.rpFilterAll = readInteger(conf + "all/rp_filter")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: conf)) ?? [] where name != "all" && name != "default" {
            facts.rpFilterInterfaces[name] = readInteger(conf + name + "/rp_filter")
        }
        facts.nft = run("nft", ["-j", "list", "ruleset"])
        facts.iptablesSave = run("iptables-save", ["-t", "filter"])
        facts.ip6tablesSave = run("ip6tables-save", ["-t", "filter"])
        return facts
    }

    private static func openDeviceNode() -> DeviceNode {
        let fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)
        if fd >= 0 {
            close(fd)
            return .opened
        }
        switch errno {
        case ENOENT: return .missing
        case ENODEV, ENXIO: return .noDriver
        case EACCES, EPERM: return .denied
        case let code: return .failed(String(cString: strerror(code)))
        }
    }

    private static func readFile(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func readInteger(_ path: String) -> Int? {
        readFile(path).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Runs a firewall tool for its listing (`ChildProcess`: no shell, a fixed environment,
    /// at most 10 s); a listing of a big ruleset is kept up to 16 MiB.
    private static func run(_ tool: String, _ arguments: [String]) -> ToolRun {
        guard let path = ChildProcess.locate(tool) else { return .notInstalled }
        do {
            let outcome = try ChildProcess.run(path, arguments, captureLimit: 16 << 20)
            return outcome.succeeded ? .output(outcome.standardOutput) : .failed(outcome.failureLine)
        } catch {
            return .failed("\(error)")
        }
    }
}
#endif
