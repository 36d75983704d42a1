import HyperionCommandLine
import HyperionTunnel
import Logging
import NIOCore
import NIOPosix

/// `hyperion-client doctor`: checks every server at once, prints the reports in config
/// order, and exits non-zero if any server failed.
enum RunDoctor {
    static func run(configPath: String?, logLevel: String?) throws {
        // Quiet unless asked: the report is the output.
        let logger = try LogSetup.bootstrap(label: "hyperion-client", option: logLevel ?? "error", environment: [:])
        let setup = try ClientSetup.load(configPath: configPath)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let reports = try EventLoopFuture.whenAllSucceed(
            setup.endpoints.map { Doctor.examine($0, settings: setup.settings, on: group.next(), logger: logger) }, on: loop
        ).wait()
        for report in reports { print(Doctor.render(report)) }
        let failed = reports.filter { !$0.passed }.map(\.server)
        if !failed.isEmpty {
            throw CommandFailure("doctor: \(failed.count) of \(reports.count) server(s) failed: \(failed.joined(separator: ", "))")
        }
    }
}
