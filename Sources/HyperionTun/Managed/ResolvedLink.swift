#if os(Linux)
import Glibc
import HyperionProcess
import Logging

/// Where systemd-resolved runs, the daemon routes the `.hyperion` names to its own DNS
/// server with resolvectl: that server as the device's DNS, and `~hyperion` as its routing
/// domain, so only those names go there. `revert` undoes it before the device goes away.
public struct ResolvedLink: Sendable {
    public let device: String
    public let address: String
    public let zone: String

    public init(device: String, address: String, zone: String) {
        self.device = device
        self.address = address
        self.zone = zone
    }

    /// resolvectl's argument lists, in order.
    public var configureCommands: [[String]] {
        [["dns", device, address], ["domain", device, "~\(zone)"]]
    }

    public var revertCommands: [[String]] { [["revert", device]] }

    /// Whether systemd-resolved runs here: its varlink socket exists only while it does.
    public static var resolvedRuns: Bool {
        access("/run/systemd/resolve/io.systemd.Resolve", F_OK) == 0
    }

    /// Applies the routing when resolved runs; returns what the user should know.
    public func configure(logger: Logger) -> String {
        guard Self.resolvedRuns, let resolvectl = ChildProcess.locate("resolvectl") else {
            return "names: NAME.\(zone) is answered at \(address):53; route the .\(zone) domain there "
                + "(systemd-resolved is not running here: with dnsmasq, server=/\(zone)/\(address))"
        }
        for arguments in configureCommands {
            if let problem = run(resolvectl, arguments) {
                logger.warning("resolvectl \(arguments.joined(separator: " ")) failed: \(problem)")
                return "names: NAME.\(zone) is answered at \(address):53, but resolvectl failed (\(problem)); "
                    + "run: resolvectl dns \(device) \(address); resolvectl domain \(device) '~\(zone)'"
            }
        }
        return "names: NAME.\(zone) resolves through systemd-resolved (routing domain ~\(zone) on \(device))"
    }

    /// Undoes `configure` when resolved runs.
    public func revert(logger: Logger) {
        guard Self.resolvedRuns, let resolvectl = ChildProcess.locate("resolvectl") else { return }
        for arguments in revertCommands {
            if let problem = run(resolvectl, arguments) {
                logger.info("resolvectl \(arguments.joined(separator: " ")) failed: \(problem)")
            }
        }
    }

    private func run(_ path: String, _ arguments: [String]) -> String? {
        do {
            let outcome = try ChildProcess.run(path, arguments)
            return outcome.succeeded ? nil : outcome.failureLine
        } catch {
            return "\(error)"
        }
    }
}
#endif
