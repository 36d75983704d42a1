/// The lifecycle of one yamux stream as the spec describes it: opened with SYN, acknowledged
/// with ACK, half-closed with FIN in each direction, aborted with RST.
///
/// Whether our SYN is still unacknowledged is tracked beside the phase, not in it: a stream
/// may send data and even FIN before its ACK arrives (the spec lets data follow the SYN at
/// once), and the session must still count it as unacknowledged.
struct YamuxStreamState: Hashable, Sendable {
    enum Phase: Hashable, Sendable {
        /// Opened locally, but the SYN has not been sent yet (it waits for ACK room).
        case idle
        /// We sent SYN; both directions are open.
        case synSent
        /// The peer sent SYN and we have not answered yet.
        case synReceived
        /// Both directions open, handshake done.
        case established
        /// We sent FIN; the peer may still send.
        case localClosed
        /// The peer sent FIN; we may still send.
        case remoteClosed
        /// Both sides sent FIN.
        case closed
        /// One side sent RST.
        case reset
    }

    private(set) var phase: Phase = .idle
    /// True from our SYN until the peer's ACK (or the end of the stream).
    private(set) var awaitingAcknowledgement = false

    init() {}

    /// Whether a frame for this stream has ever been on the wire.
    var isOpenOnWire: Bool { self.phase != .idle }

    /// Whether we may still send data (or FIN) on this stream.
    var canSend: Bool {
        switch self.phase {
        case .synSent, .established, .remoteClosed: return true
        case .idle, .synReceived, .localClosed, .closed, .reset: return false
        }
    }

    /// Whether the peer may still send data on this stream.
    var canReceive: Bool {
        switch self.phase {
        case .synSent, .synReceived, .established, .localClosed: return true
        case .idle, .remoteClosed, .closed, .reset: return false
        }
    }

    var hasReceivedFin: Bool { self.phase == .remoteClosed || self.phase == .closed }

    /// Closed or reset: nothing more will be sent or accepted.
    var isTerminal: Bool { self.phase == .closed || self.phase == .reset }

    mutating func sendSyn() {
        precondition(self.phase == .idle, "SYN sent twice")
        self.phase = .synSent
        self.awaitingAcknowledgement = true
    }

    mutating func receiveSyn() {
        precondition(self.phase == .idle, "SYN received for a known stream")
        self.phase = .synReceived
    }

    mutating func sendAck() {
        precondition(self.phase == .synReceived, "ACK without a SYN to answer")
        self.phase = .established
    }

    /// Returns true if the ACK acknowledged our SYN; a repeated or unexpected ACK is
    /// ignored (the spec is silent, and it harms nothing).
    mutating func receiveAck() -> Bool {
        guard self.awaitingAcknowledgement else { return false }
        self.awaitingAcknowledgement = false
        if self.phase == .synSent { self.phase = .established }
        return true
    }

    mutating func sendFin() {
        switch self.phase {
        case .synSent, .established: self.phase = .localClosed
        case .remoteClosed: self.phase = .closed
        case .idle, .synReceived, .localClosed, .closed, .reset:
            preconditionFailure("FIN sent in phase \(self.phase)")
        }
    }

    /// Returns true if the FIN closed the peer's direction now; a repeated FIN is ignored.
    mutating func receiveFin() -> Bool {
        switch self.phase {
        case .synSent, .synReceived, .established:
            self.phase = .remoteClosed
        case .localClosed:
            self.phase = .closed
        case .idle, .remoteClosed, .closed, .reset:
            return false
        }
        return true
    }

    /// Either side's RST: the stream is over and no longer waits for anything.
    mutating func reset() {
        self.phase = .reset
        self.awaitingAcknowledgement = false
    }

    /// The stream is removed from the session without further frames.
    mutating func forget() {
        self.awaitingAcknowledgement = false
    }
}
