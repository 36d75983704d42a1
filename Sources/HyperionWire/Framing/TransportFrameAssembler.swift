import HyperionCrypto
import NIOCore

/// Builds outgoing transport frames (PROTOCOL.md §4) in place in one output buffer.
///
/// Plaintext is copied once, straight into its place inside a frame of the output buffer
/// (after a length prefix, before room for the tag), and each frame is encrypted where it
/// lies as soon as it is full or the caller asks for what is sealed. Frames are sealed in
/// order, so nonces follow the byte stream. Writes of any size gather into frames of up to
/// 16384 plaintext bytes: a burst of small yamux frames becomes one transport frame.
public struct TransportFrameAssembler {
    private var cipher: NoiseCipherState
    private var output: ByteBuffer
    /// Index in `output` of the length prefix of the frame still being filled.
    private var openFrameStart: Int?
    private var openFrameFill = 0

    public init(cipher: NoiseCipherState, output: ByteBuffer) {
        self.cipher = cipher
        self.output = output
    }

    /// Bytes in `output`: sealed frames plus the frame being filled.
    public var bufferedByteCount: Int { output.readableBytes }

    /// Copies every readable byte of `plaintext` into frames; full frames are sealed.
    public mutating func append(_ plaintext: inout ByteBuffer) throws {
        while plaintext.readableBytes > 0 {
            if openFrameStart == nil {
                rewindIfEmpty()
                openFrameStart = output.writerIndex
                openFrameFill = 0
                output.writeInteger(UInt16(0))  // the length, set when the frame is sealed
            }
            var piece = plaintext.readSlice(length: min(plaintext.readableBytes, TransportFrame.maximumPlaintextLength - openFrameFill))!
            openFrameFill += output.writeBuffer(&piece)
            if openFrameFill == TransportFrame.maximumPlaintextLength {
                try sealOpenFrame()
            }
        }
    }

    /// Seals the frame being filled, then hands over every sealed frame, leaving the
    /// assembler empty. The storage is reused once the returned buffer is released.
    ///
    /// The handed-over bytes are only marked as read here; the buffer is rewound when the
    /// next frame starts. Rewinding now, while the caller still holds the bytes, would make
    /// NIO allocate new storage on every flush.
    public mutating func takeSealed() throws -> ByteBuffer {
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
        guard let start = openFrameStart else { return }
        openFrameStart = nil
        let plaintextCount = openFrameFill
        guard plaintextCount > 0 else {
            output.moveWriterIndex(to: start)
            return
        }
        let sealedCount = plaintextCount + TransportFrame.tagLength
        output.writeRepeatingByte(0, count: TransportFrame.tagLength)
        output.setInteger(UInt16(sealedCount), at: start)
        let offset = start + 2 - output.readerIndex
        _ = try output.withUnsafeMutableReadableBytes { bytes in
            try cipher.sealInPlace(UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<(offset + sealedCount)]), plaintextCount: plaintextCount)
        }
    }
}
