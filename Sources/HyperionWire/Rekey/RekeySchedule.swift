import NIOCore

/// When a sending direction retires its key (PROTOCOL.md §10.3), from the frames sealed
/// under it and the clock: a pure state machine that the frame assembler consults.
///
/// No timer: the sender passes the time in whenever it writes to the socket
/// (`writing(at:)`), and the count is checked after every sealed frame (`frameSealed()`),
/// so a key seals at most `framesPerKey` frames, its marker included, and no frame written
/// after the key turned `keyLifetime` old. A tunnel that writes nothing seals nothing with
/// its old key; the keepalive pings (every 5 s by default) make sure it writes anyway.
public struct RekeySchedule: Sendable {
    public let policy: RekeyPolicy
    /// Data frames sealed under the current key (the marker not counted).
    private var framesUnderKey: UInt64
    private var keySince: NIODeadline
    /// The last time passed to `writing(at:)`: a marker sealed between two writes (by
    /// count) dates its new key from then, which can only make the next one come sooner.
    private var lastClockReading: NIODeadline
    private var markerDue: Bool
    /// Markers sealed so far (for tests and logs).
    public private(set) var markersSealed = 0

    /// Starts the schedule for a key that has sealed `framesSealed` frames since
    /// `keySince`. `markerAtOnce` asks for a marker before anything else is sealed.
    public init(policy: RekeyPolicy, framesSealed: UInt64, keySince: NIODeadline, markerAtOnce: Bool) {
        self.policy = policy
        self.framesUnderKey = framesSealed
        self.keySince = keySince
        self.lastClockReading = keySince
        self.markerDue = markerAtOnce
        checkCount()
    }

    /// The sender is about to write to the socket at `now`: whether a marker must be
    /// sealed before the frames that wait.
    public mutating func writing(at now: NIODeadline) -> Bool {
        lastClockReading = max(lastClockReading, now)
        if now - keySince >= policy.keyLifetime { markerDue = true }
        return markerDue
    }

    /// A data frame was sealed under the current key: whether the marker must follow now.
    public mutating func frameSealed() -> Bool {
        framesUnderKey += 1
        checkCount()
        return markerDue
    }

    /// The marker was sealed and the key replaced: a new key starts.
    public mutating func markerSealed() {
        framesUnderKey = 0
        keySince = lastClockReading
        markerDue = false
        markersSealed += 1
    }

    /// The marker is the key's last frame, so it is due once one frame fewer is sealed.
    private mutating func checkCount() {
        if framesUnderKey >= policy.framesPerKey - 1 { markerDue = true }
    }
}
