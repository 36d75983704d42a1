import HyperionCrypto
import NIOCore

/// Builds outgoing transport frames (PROTOCOL.md §4) in one output buffer.
///
/// The plaintext of the frame being filled is kept as slices of the caller's buffers (no
/// copy); when the frame is full, or the caller asks for what is sealed, it is encrypted
/// from those slices straight into its place in the output buffer (after the length
/// prefix, with the tag behind). Frames are sealed in order, so nonces follow the byte
/// stream. Writes of any size gather into frames of up to 16384 plaintext bytes: a burst
/// of small yamux frames becomes one transport frame. What the assembler holds beyond the
/// output is at most one frame's plaintext.
///
/// Once `startRekeying` was called, it also retires its key when the `RekeySchedule` says
/// so: a rekey marker (PROTOCOL.md §10.3) sealed under the old key, between two frames.
public struct TransportFrameAssembler {
    private var cipher: NoiseCipherState
    private var output: ByteBuffer
    /// The plaintext of the frame being filled, in order, and its length.
    private var openFramePieces: [ByteBuffer] = []
    private var openFrameFill = 0
    /// When to retire the key; nil while this side does not rekey (always, with a v1 peer).
    public private(set) var rekeySchedule: RekeySchedule?

    public init(cipher: NoiseCipherState, output: ByteBuffer) {
        self.cipher = cipher
        self.output = output
    }

    /// Bytes held: sealed frames in `output` plus the plaintext of the frame being filled.
    public var bufferedByteCount: Int { output.readableBytes + openFrameFill }

    /// Takes every readable byte of `plaintext` into frames; full frames are sealed.
    public mutating func append(_ plaintext: inout ByteBuffer) throws {
        while plaintext.readableBytes > 0 {
            let piece = plaintext.readSlice(length: min(plaintext.readableBytes, TransportFrame.maximumPlaintextLength - openFrameFill))!
            openFrameFill += piece.readableBytes
            openFramePieces.append(piece)
            if openFrameFill == TransportFrame.maximumPlaintextLength {
                try sealOpenFrame()
            }
        }
    }

    /// Starts retiring the key by `policy`; the key has sealed every frame so far (the
    /// nonce counts them) since `keySince`. Both peers must have opted in (`RekeyNegotiation`).
    public mutating func startRekeying(policy: RekeyPolicy, keySince: NIODeadline, markerAtOnce: Bool) {
        guard rekeySchedule == nil else { return }
        rekeySchedule = RekeySchedule(policy: policy, framesSealed: cipher.nonce, keySince: keySince, markerAtOnce: markerAtOnce)
    }

    /// Seals the frame being filled, then hands over every sealed frame, leaving the
    /// assembler empty. The storage is reused once the returned buffer is released.
    /// `now` is the time of the write, for the rekey schedule (unused without one); a due
    /// marker goes before the frame being filled.
    ///
    /// The handed-over bytes are only marked as read here; the buffer is rewound when the
    /// next frame is sealed. Rewinding now, while the caller still holds the bytes, would
    /// make NIO allocate new storage on every flush.
    public mutating func takeSealed(now: NIODeadline? = nil) throws -> ByteBuffer {
        if let now, rekeySchedule?.writing(at: now) == true {
            try sealRekeyMarker()
        }
        try sealOpenFrame()
        let sealed = output
        output.moveReaderIndex(to: output.writerIndex)
        return sealed
    }

    /// Rewinds an emptied buffer to its start, in the same storage when nobody else holds it.
    private mutating func rewindIfEmpty() {
        if output.readableBytes == 0, output.readerIndex > 0 { output.clear() }
    }

    private mutating func sealOpenFrame() throws {
        let plaintextCount = openFrameFill
        guard plaintextCount > 0 else { return }
        // Moved out and back rather than copied, so the array's storage is reused: a copy
        // would make `removeAll(keepingCapacity:)` allocate on every frame.
        var pieces: [ByteBuffer] = []
        swap(&pieces, &openFramePieces)
        defer {
            pieces.removeAll(keepingCapacity: true)
            swap(&pieces, &openFramePieces)
        }
        openFrameFill = 0
        rewindIfEmpty()
        let sealedCount = plaintextCount + TransportFrame.tagLength
        // Length prefix and sealed frame in one step: if sealing throws, nothing is written.
        try output.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 + sealedCount) { space in
            let frame = UnsafeMutableRawBufferPointer(rebasing: space[2..<(2 + sealedCount)])
            _ = try cipher.seal(plaintextCount: plaintextCount, into: frame) { add in
                for piece in pieces { piece.withUnsafeReadableBytes { add($0) } }
            }
            space.storeBytes(of: UInt16(sealedCount).bigEndian, toByteOffset: 0, as: UInt16.self)
            return 2 + sealedCount
        }
        if rekeySchedule?.frameSealed() == true {
            try sealRekeyMarker()
        }
    }

    /// Seals a rekey marker (length field 0x8010, then the tag of an empty plaintext with
    /// that field as associated data) after the frames sealed so far, then replaces the key:
    /// the plaintext still waiting in the open frame is sealed under the new one.
    private mutating func sealRekeyMarker() throws {
        rewindIfEmpty()
        let tag = try cipher.sealEmpty(authenticating: TransportFrame.rekeyMarkerAssociatedData)
        output.writeInteger(TransportFrame.rekeyMarkerLengthField)
        output.writeBytes(tag)
        try cipher.rekey()
        rekeySchedule?.markerSealed()
    }
}
