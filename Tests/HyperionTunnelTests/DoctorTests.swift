import Testing
@testable import HyperionTunnel

@Suite struct DoctorTests {
    let knock = DoctorCheck(name: "knock", outcome: .skipped("knock disabled"))

    func failure(for kind: TunnelError.Kind) -> String {
        let checks = Doctor.failedChecks(knock: knock, error: TunnelError(kind, "detail"))
        return checks.compactMap { if case let .failed(text) = $0.outcome { "\($0.name): \(text)" } else { nil } }.joined(separator: "\n")
    }

    @Test func eachFailureHasItsOwnDiagnosis() {
        #expect(failure(for: .connectRefused).hasPrefix("connect: refused"))
        #expect(failure(for: .connectTimedOut).hasPrefix("connect: no answer: the port is filtered, the knock did not open it, or the host is down"))
        #expect(failure(for: .handshakeRefused).contains("not in its identity.admin_pubkeys"))
        #expect(failure(for: .handshakeRefused).contains("unknown server key"))
        #expect(failure(for: .handshakeFailed).contains("wrong PSK"))
        #expect(failure(for: .portClosedAfterKnock).hasPrefix("knock: detail"))
    }

    @Test func reportPassesOnlyWithoutFailures() {
        let good = DoctorReport(server: "a", address: "127.0.0.1:1", checks: [knock, DoctorCheck(name: "ping", outcome: .passed("0.100 ms"))])
        #expect(good.passed)
        #expect(Doctor.render(good).hasPrefix("a (127.0.0.1:1): OK"))
        let bad = DoctorReport(server: "b", address: "x:1", checks: Doctor.failedChecks(knock: knock, error: TunnelError(.connectRefused, "r")))
        #expect(!bad.passed)
        #expect(Doctor.render(bad).contains("FAIL connect"))
    }
}
