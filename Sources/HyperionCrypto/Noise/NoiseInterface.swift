/// INTERFACE PLACEHOLDER for the Noise IKpsk2 state machines; the implementation lands on
/// the `noise` branch, which replaces this file. The rest of the package codes against:
///
///   public struct NoiseInitiator   // client side of Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s
///     init(prologue: [UInt8], localStatic: X25519SecretKey, remoteStatic: X25519PublicKey,
///          presharedKey: PresharedKey, ephemeral: X25519SecretKey? = nil)
///     mutating func writeMessage1(payload: [UInt8] = []) throws -> [UInt8]
///     mutating func readMessage2(_ message: [UInt8]) throws -> [UInt8]        // payload
///     consuming func split() throws -> NoiseTransport
///
///   public struct NoiseResponder   // server side
///     init(prologue: [UInt8], localStatic: X25519SecretKey, presharedKey: PresharedKey,
///          ephemeral: X25519SecretKey? = nil)
///     mutating func readMessage1(_ message: [UInt8]) throws -> (remoteStatic: X25519PublicKey, payload: [UInt8])
///     mutating func writeMessage2(payload: [UInt8] = []) throws -> [UInt8]
///     consuming func split() throws -> NoiseTransport
///
///   public struct NoiseTransport { public var sender: NoiseCipherState; public var receiver: NoiseCipherState }
///
///   public struct NoiseCipherState
///     /// Encrypts plaintext into output (plaintext.count + 16 bytes); returns bytes written.
///     mutating func seal(_ plaintext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int
///     /// Decrypts ciphertext||tag into output (ciphertext.count - 16 bytes); returns bytes written.
///     mutating func open(_ ciphertext: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> Int
///     var nonce: UInt64 { get }
///
///   public enum NoiseHash   // BLAKE2s-based HASH, HMAC and HKDF exactly as Noise §4.3 defines
///     static func hash(_ data: [UInt8]) -> [UInt8]
///     static func hmac(key: [UInt8], data: [UInt8]) -> [UInt8]
///     static func hkdf(chainingKey: [UInt8], inputKeyMaterial: [UInt8], outputs: Int) -> [[UInt8]]
///
///   public struct BLAKE2s (RFC 7693) with keyed hashing and variable output length.
///
///   public enum HyperionNoise { static let prologue: [UInt8] }   // "hyperion-vpn" || u16 1
enum NoiseInterfacePlaceholder {}
