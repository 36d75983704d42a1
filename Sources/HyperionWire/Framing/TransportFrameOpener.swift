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
        try Self.authenticating {
            try ciphertext.withUnsafeReadableBytes { source in
                _ = try plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: max(plainLength, 1)) { destination in
                    try cipher.open(source, into: destination)
                }
            }
        }
    }

    /// Verifies a rekey marker (the tag of an empty plaintext with the marker's length
    /// field as associated data, under the current key and nonce), then replaces the key as
    /// REKEY says (PROTOCOL.md §10.3). Whether a marker may come at all is for
    /// `RekeyNegotiation` to decide first.
    public mutating func openRekeyMarker(_ marker: ByteBuffer) throws {
        guard marker.readableBytes == TransportFrame.tagLength else {
            throw WireError(.invalidFrameLength, "a rekey marker of \(marker.readableBytes) bytes; it is a \(TransportFrame.tagLength)-byte tag")
        }
        try Self.authenticating {
            try cipher.openEmpty(Array(marker.readableBytesView), authenticating: TransportFrame.rekeyMarkerAssociatedData)
        }
        try cipher.rekey()
    }

    private static func authenticating(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as HyperionCryptoError where error.kind == .authenticationFailed {
            throw WireError(.frameAuthenticationFailed, "a transport frame failed authentication (corrupted or forged)")
        }
    }
}
