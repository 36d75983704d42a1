/// One tunnel connection's way from admitted to authenticated, on its event loop: whether
/// its first transport frame proved it, and if not, why it ended (for the summary).
final class ConnectionProof {
    private let ticket: AdmissionTicket
    private let gate: AdmissionGate
    private(set) var isAuthenticated = false
    private var refusal: ConnectionRefusal?

    init(ticket: AdmissionTicket, gate: AdmissionGate) {
        self.ticket = ticket
        self.gate = gate
    }

    /// Records why the connection is about to end; the first reason given wins.
    func refuse(_ reason: ConnectionRefusal) {
        if refusal == nil { refusal = reason }
    }

    /// The client's first transport frame decrypted. False when the connection must be
    /// closed all the same (max_connections, or too late).
    func prove() -> Bool {
        guard !isAuthenticated, refusal == nil else { return false }
        if let reason = gate.proven(ticket) {
            refuse(reason)
            return false
        }
        isAuthenticated = true
        return true
    }

    /// The connection closed: gives its slot back, and counts it if it was refused.
    func closed() {
        gate.closed(ticket, wasAuthenticated: isAuthenticated, refusal: isAuthenticated ? nil : refusal ?? .unproven)
    }
}

@available(*, unavailable)
extension ConnectionProof: Sendable {}
