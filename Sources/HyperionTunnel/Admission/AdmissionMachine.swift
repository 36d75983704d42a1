import NIOCore

/// Decides which tunnel connections the server takes, and counts them: unauthenticated
/// ones globally and per source, new ones per source per second, authenticated ones apart
/// (`AdmissionLimits`). Pure: the caller passes the monotonic time and calls `closed` once
/// for every admitted connection.
struct AdmissionMachine {
    enum Decision: Equatable {
        case admit(AdmissionTicket)
        case refuse(ConnectionRefusal)
    }

    enum ProofDecision: Equatable {
        case authenticated
        case refuse(ConnectionRefusal)
    }

    /// Per-source state. The rate is a GCRA (a token bucket kept as one time): a new
    /// connection is allowed while `theoreticalArrival - now` stays within the burst, and
    /// each one moves it on by one interval. An entry with nothing in flight whose
    /// `theoreticalArrival` has passed holds no information and may be dropped.
    private struct Source {
        var unauthenticated = 0
        var theoreticalArrival: NIODeadline
    }

    let limits: AdmissionLimits
    private var sources: [SourceKey: Source] = [:]
    private(set) var unauthenticated = 0
    private(set) var authenticated = 0
    private let interval: TimeAmount
    private let burstTolerance: TimeAmount

    init(limits: AdmissionLimits) {
        precondition(limits.handshakesPerSecond > 0 && limits.handshakeBurst > 0)
        self.limits = limits
        interval = .nanoseconds(1_000_000_000 / Int64(limits.handshakesPerSecond))
        burstTolerance = .nanoseconds(interval.nanoseconds * Int64(limits.handshakeBurst - 1))
    }

    var trackedSourceCount: Int { sources.count }

    /// A new TCP connection from `source`.
    mutating func admit(from source: SourceKey, now: NIODeadline) -> Decision {
        var entry = sources[source] ?? Source(theoreticalArrival: now)
        if entry.unauthenticated >= limits.maximumUnauthenticatedPerSource { return .refuse(.perSourceLimit) }
        if unauthenticated >= limits.maximumUnauthenticated { return .refuse(.unauthenticatedLimit) }
        let arrival = max(entry.theoreticalArrival, now)
        if arrival - now > burstTolerance { return .refuse(.handshakeRate) }
        if sources[source] == nil, !makeRoom(now: now) { return .refuse(.unauthenticatedLimit) }
        entry.theoreticalArrival = arrival + interval
        entry.unauthenticated += 1
        sources[source] = entry
        unauthenticated += 1
        return .admit(AdmissionTicket(source: source, admittedAt: now))
    }

    /// The connection's first transport frame decrypted. On a refusal the caller closes it
    /// and still calls `closed(_:wasAuthenticated: false)`.
    mutating func proven(_ ticket: AdmissionTicket, now: NIODeadline) -> ProofDecision {
        if now - ticket.admittedAt > limits.handshakeTimeout { return .refuse(.unproven) }
        if authenticated >= limits.maximumAuthenticated { return .refuse(.authenticatedLimit) }
        releaseUnauthenticated(ticket.source)
        authenticated += 1
        return .authenticated
    }

    /// The connection closed; `wasAuthenticated` is whether `proven` accepted it.
    mutating func closed(_ ticket: AdmissionTicket, wasAuthenticated: Bool) {
        if wasAuthenticated {
            authenticated -= 1
        } else {
            releaseUnauthenticated(ticket.source)
        }
    }

    private mutating func releaseUnauthenticated(_ source: SourceKey) {
        guard var entry = sources[source], entry.unauthenticated > 0 else {
            preconditionFailure("releasing a connection \(source) does not have")
        }
        entry.unauthenticated -= 1
        sources[source] = entry
        unauthenticated -= 1
    }

    /// Keeps the table within `sourceTableCapacity`: first drops every entry that holds no
    /// information, then, if none did, the one whose rate state matters least. Sources with
    /// connections in flight are never dropped; there are at most `maximumUnauthenticated`
    /// of them, fewer than the capacity, so there is always one to drop.
    private mutating func makeRoom(now: NIODeadline) -> Bool {
        guard sources.count >= limits.sourceTableCapacity else { return true }
        sources = sources.filter { $0.value.unauthenticated > 0 || $0.value.theoreticalArrival > now }
        guard sources.count >= limits.sourceTableCapacity else { return true }
        let idle = sources.filter { $0.value.unauthenticated == 0 }
        guard let victim = idle.min(by: { $0.value.theoreticalArrival < $1.value.theoreticalArrival }) else { return false }
        sources[victim.key] = nil
        return true
    }
}

/// What `AdmissionMachine.admit` hands out for a connection, to give back later.
struct AdmissionTicket: Hashable, Sendable {
    let source: SourceKey
    let admittedAt: NIODeadline
}
