import HyperionCommandLine
import HyperionConfig
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

/// `hyperion-client doctor`: checks every server at once, prints the reports in config
/// order, and exits non-zero if any server failed. With a `[tun]` section it also checks
/// what TUN mode needs of this machine, as one more report.
enum RunDoctor {
    static func run(configPath: String?, logLevel: String?) throws {
        // Quiet unless asked: the report is the output.
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel ?? "error", environment: [:])
        let setup = try ClientSetup.load(configPath: configPath)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        var reports = try EventLoopFuture.whenAllSucceed(
            setup.endpoints.map { Doctor.examine($0, settings: setup.settings, on: group.next(), logger: logger) }, on: loop
        ).wait()
        if setup.config.hasTunSection { reports.append(tunReport(setup.config.tun)) }
        for report in reports { print(Doctor.render(report)) }
        let failed = reports.filter { !$0.passed }.map(\.server)
        if !failed.isEmpty {
            throw CommandFailure("doctor: \(failed.count) of \(reports.count) report(s) failed: \(failed.joined(separator: ", "))")
        }
    }

    /// TUN mode's prerequisites on this machine; only a build with TUN mode can use them.
    static func tunReport(_ tun: TunSection) -> DoctorReport {
        #if TUN && os(Linux)
        TunPrerequisites.report(tun, facts: TunHostFacts.gather())
        #else
        TunPrerequisites.unavailableReport(tun, reason: "this build has no TUN mode (built without the TUN trait, or not on Linux): not checked")
        #endif
    }
}
