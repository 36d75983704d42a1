import NIOCore

/// Who may send rekey markers, and when (PROTOCOL.md §10.3): a pure state machine fed
/// with the `RekeyAnnouncement` pings and the markers that arrive.
///
/// Both sides must know the other supports rekeying before either retires a sending key,
/// and a receiver must never meet a marker it cannot place:
///
/// - The server announces (its state starts at `announced`). It accepts markers, and
///   starts its own, only once the client's opt-in ping has arrived; its first marker goes
///   at once and is the confirmation.
/// - The client, on the announcement, accepts markers from then on and opts in. It starts
///   its own markers once the server's first marker arrived: that marker was sealed after
///   the server read the opt-in, so the server then accepts the client's.
///
/// A marker in any other state is a protocol error: a v1 peer never sends one (its
/// length is outside §4's bounds), and a Hyperion peer only after the steps above.

public struct RekeyNegotiation: Sendable {
    public enum Role: Sendable { case client, server }

    public enum State: Sendable, Equatable {
        /// Client: no announcement yet, so a v1 server as far as we know.
        case waitingForAnnouncement
        /// Server: announced, the client has not opted in (a v1 client never does).
        case announced
        /// Client: opted in; waiting for the server's confirming marker.
        case optedIn
        /// Both sides rekey.
        case agreed
    }

    /// What the caller must do after an input.
    public enum Step: Sendable, Equatable {
        case nothing
        /// Client: send the opt-in ping (`RekeyAnnouncement.pingOpaque`).
        case sendOptIn
        /// Start retiring the sending key (`RekeySchedule`); `markerAtOnce` for the
        /// server's confirmation.
        case startSending(markerAtOnce: Bool)
    }

    public private(set) var state: State
    /// How often this side retires its sending key, once agreed.
    public let policy: RekeyPolicy
    /// When the first sending key was made (the handshake's end).
    public let keySince: NIODeadline
    /// Markers received so far (for tests and logs).
    public private(set) var markersReceived = 0

    public init(role: Role, policy: RekeyPolicy, keySince: NIODeadline) {
        state = role == .server ? .announced : .waitingForAnnouncement
        self.policy = policy
        self.keySince = keySince
    }

    /// Whether a marker from the peer is expected now.
    public var acceptsMarkers: Bool { state == .optedIn || state == .agreed }

    /// The peer sent a ping with `RekeyAnnouncement.pingOpaque`: the server's announcement
    /// (client side) or the client's opt-in (server side). Repeats change nothing.
    public mutating func pingReceived() -> Step {
        switch state {
        case .waitingForAnnouncement:
            state = .optedIn
            return .sendOptIn
        case .announced:
            state = .agreed
            return .startSending(markerAtOnce: true)
        case .optedIn, .agreed:
            return .nothing
        }
    }

    /// The peer sent a rekey marker. Throws when none is expected: the connection must
    /// end. Otherwise the caller verifies the marker's tag and replaces its receiving key
    /// (a tag that does not verify ends the connection too).
    public mutating func markerReceived() throws -> Step {
        guard acceptsMarkers else { throw Self.unexpectedMarker }
        markersReceived += 1
        guard state == .optedIn else { return .nothing }
        state = .agreed
        return .startSending(markerAtOnce: false)
    }

    /// A marker where none may come: from a peer that did not opt in, or to a side that
    /// does not rekey at all.
    public static let unexpectedMarker = WireError(
        .invalidFrameLength,
        "the peer sent a rekey marker (frame length field 0x8010) without both sides having opted in to rekeying"
    )
}
