import HyperionCrypto
import NIOCore

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
