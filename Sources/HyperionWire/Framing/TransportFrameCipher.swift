import HyperionCrypto
import NIOCore

/// Seals outgoing plaintext into transport frames (PROTOCOL.md §4).
///
/// Encrypts straight from the caller's plaintext buffer into the caller's output buffer,
/// so a connection that keeps one output buffer allocates nothing per frame here.
public struct TransportFrameSealer {
    @usableFromInline var cipher: NoiseCipherState

    public init(cipher: NoiseCipherState) { self.cipher = cipher }

    /// Consumes every readable byte of `plaintext` and appends the frames that carry it
    /// to `output`, each holding at most 16384 plaintext bytes.
    public mutating func seal(_ plaintext: inout ByteBuffer, into output: inout ByteBuffer) throws {
        while plaintext.readableBytes > 0 {
            let chunk = min(plaintext.readableBytes, TransportFrame.maximumPlaintextLength)
            let sealedLength = chunk + TransportFrame.tagLength
            output.reserveCapacity(minimumWritableBytes: 2 + sealedLength)
            output.writeInteger(UInt16(sealedLength))
            try plaintext.withUnsafeReadableBytes { source in
                _ = try output.writeWithUnsafeMutableBytes(minimumWritableBytes: sealedLength) { destination in
                    try cipher.seal(UnsafeRawBufferPointer(rebasing: source.prefix(chunk)), into: destination)
                }
            }
            plaintext.moveReaderIndex(forwardBy: chunk)
        }
    }
}

/// Opens incoming transport-frame ciphertexts (as cut by `TransportFrameParser`).
public struct TransportFrameOpener {
    @usableFromInline var cipher: NoiseCipherState

    public init(cipher: NoiseCipherState) { self.cipher = cipher }

    /// Decrypts `ciphertext` and appends the plaintext to `plaintext`. A tag that does not
    /// verify throws: the connection must end (PROTOCOL.md §4).
    public mutating func open(_ ciphertext: ByteBuffer, into plaintext: inout ByteBuffer) throws {
        let plainLength = ciphertext.readableBytes - TransportFrame.tagLength
        guard plainLength >= 0, plainLength <= TransportFrame.maximumPlaintextLength else {
            throw WireError(.invalidFrameLength, "a transport frame of \(ciphertext.readableBytes) bytes is out of bounds")
        }
        do {
            try ciphertext.withUnsafeReadableBytes { source in
                _ = try plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: max(plainLength, 1)) { destination in
                    try cipher.open(source, into: destination)
                }
            }
        } catch let error as HyperionCryptoError where error.kind == .authenticationFailed {
            throw WireError(.frameAuthenticationFailed, "a transport frame failed authentication (corrupted or forged)")
        }
    }
}
