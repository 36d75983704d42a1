import Logging
import NIOCore

/// One line of a doctor report.
public struct DoctorCheck: Sendable {
    public enum Outcome: Sendable {
        case passed(String)
        case failed(String)
        /// Probably wrong, from a heuristic that can be mistaken: shown, but the report passes.
        case warned(String)
        case skipped(String)
    }

    public init(name: String, outcome: Outcome) {
        self.name = name
        self.outcome = outcome
    }

    public let name: String
    public let outcome: Outcome
}

/// What `doctor` found for one server.
public struct DoctorReport: Sendable {
    public let server: String
    public let address: String
    public let checks: [DoctorCheck]

    public init(server: String, address: String, checks: [DoctorCheck]) {
        self.server = server
        self.address = address
        self.checks = checks
    }

    public var passed: Bool {
        !checks.contains { if case .failed = $0.outcome { true } else { false } }
    }
}

/// `hyperion-client doctor`: knock, TCP connect, handshake and ping against one server,
/// each timed, with one diagnosis per failure. Forwards nothing.
public enum Doctor {
    public static func examine(
        _ endpoint: TunnelEndpoint, settings: TunnelClientSettings, on loop: EventLoop, logger: Logger
    ) -> EventLoopFuture<DoctorReport> {
        let knock = DoctorCheck(
            name: "knock",
            outcome: settings.knocker == nil ? .skipped("knock disabled") : .passed("sent to \(endpoint.host) (UDP)")
        )
        return TunnelConnector.connect(to: endpoint, settings: settings, on: loop, logger: logger)
            .flatMap { session in
                session.ping(timeout: settings.pingTimeout).map { rtt in
                    [
                        knock,
                        DoctorCheck(name: "connect", outcome: .passed("\(PoolSlot.format(session.connectDuration)) ms")),
                        DoctorCheck(name: "handshake", outcome: .passed("\(PoolSlot.format(session.handshakeDuration)) ms")),
                        DoctorCheck(name: "ping", outcome: .passed("\(PoolSlot.format(rtt)) ms round trip")),
                    ]
                }.flatMapError { error in
                    loop.makeSucceededFuture([
                        knock,
                        DoctorCheck(name: "connect", outcome: .passed("\(PoolSlot.format(session.connectDuration)) ms")),
                        DoctorCheck(name: "handshake", outcome: .passed("\(PoolSlot.format(session.handshakeDuration)) ms")),
                        DoctorCheck(name: "ping", outcome: .failed("\(error)")),
                    ])
                }.always { _ in session.close() }
            }
            .flatMapError { error in
                loop.makeSucceededFuture(failedChecks(knock: knock, error: error))
            }
            .map { DoctorReport(server: endpoint.name, address: endpoint.address, checks: $0) }
    }

    static func failedChecks(knock: DoctorCheck, error: Error) -> [DoctorCheck] {
        let tunnelError = error as? TunnelError
        switch tunnelError?.kind {
        case .some(.handshakeRefused):
            return [knock, DoctorCheck(name: "connect", outcome: .passed("ok")), DoctorCheck(
                name: "handshake",
                outcome: .failed("handshake refused: the server closed without answering. Either our admin key is not in its identity.admin_pubkeys, server_pubkey is not this server's key (unknown server key), or the server refused the connection at one of its [limits] (busy, or too many connections from this address); the server's log says which.")
            ), DoctorCheck(name: "ping", outcome: .skipped("no tunnel"))]
        case .some(.handshakeFailed):
            return [knock, DoctorCheck(name: "connect", outcome: .passed("ok")), DoctorCheck(
                name: "handshake", outcome: .failed("handshake failed: wrong PSK. The server answered, but its reply did not decrypt; check [key] and salt on both sides.")
            ), DoctorCheck(name: "ping", outcome: .skipped("no tunnel"))]
        case .some(.handshakeTimedOut):
            return [knock, DoctorCheck(name: "connect", outcome: .passed("ok")), DoctorCheck(
                name: "handshake", outcome: .failed("handshake timed out: the port accepted TCP but did not answer like a Hyperion server.")
            ), DoctorCheck(name: "ping", outcome: .skipped("no tunnel"))]
        case .some(.portClosedAfterKnock):
            return [
                DoctorCheck(name: "knock", outcome: .failed(tunnelError!.message)),
                DoctorCheck(name: "connect", outcome: .failed("timed out after the knock")),
                DoctorCheck(name: "handshake", outcome: .skipped("no connection")),
                DoctorCheck(name: "ping", outcome: .skipped("no connection")),
            ]
        case .some(.connectRefused):
            return [knock, DoctorCheck(name: "connect", outcome: .failed("refused: \(tunnelError!.message). Is the server running, and is addr right?")),
                    DoctorCheck(name: "handshake", outcome: .skipped("no connection")), DoctorCheck(name: "ping", outcome: .skipped("no connection"))]
        case .some(.connectTimedOut):
            return [knock, DoctorCheck(name: "connect", outcome: .failed("no answer: the port is filtered, the knock did not open it, or the host is down (\(tunnelError!.message))")),
                    DoctorCheck(name: "handshake", outcome: .skipped("no connection")), DoctorCheck(name: "ping", outcome: .skipped("no connection"))]
        default:
            return [knock, DoctorCheck(name: "connect", outcome: .failed("\(error)")),
                    DoctorCheck(name: "handshake", outcome: .skipped("no connection")), DoctorCheck(name: "ping", outcome: .skipped("no connection"))]
        }
    }

    /// The report as printed: a header per server, one line per check.
    public static func render(_ report: DoctorReport) -> String {
        var lines = ["\(report.server) (\(report.address)): \(report.passed ? "OK" : "FAILED")"]
        for check in report.checks {
            let (mark, text): (String, String) = switch check.outcome {
            case let .passed(detail): ("ok  ", detail)
            case let .failed(diagnosis): ("FAIL", diagnosis)
            case let .warned(diagnosis): ("WARN", diagnosis)
            case let .skipped(reason): ("-   ", reason)
            }
            let name = check.name + String(repeating: " ", count: max(0, 10 - check.name.count))
            lines.append("  \(mark) \(name) \(text)")
        }
        return lines.joined(separator: "\n")
    }
}
