#if os(Linux)
import CHyperionLinux
import HyperionCrypto

/// Keeps the server's two long-lived secrets, the PSK and its static key, out of swap by
/// locking (mlock) the pages of their heap storage, and nothing else: locking everything
/// (mlockall with MCL_FUTURE) would make allocations fail once the memlock limit is
/// reached, under load, and would pin every thread stack.
///
/// Neither type exposes its storage: the static key's bytes live inside swift-crypto's
/// private key. So the references a key holds (the words of its inline representation)
/// are followed: the first bytes of each referenced object, its header and a small buffer
/// of key bytes, are locked. Whether that covered the secret is then checked, not assumed:
/// the secret's bytes must lie in what was locked. A layout this misses is reported as not
/// locked, never claimed.
enum SecretMemory {
    /// How much of each referenced object is locked: a ManagedBuffer or array header
    /// (32 bytes) and a 32-byte key, with room to spare.
    static let objectSpan = 256

    /// Whether the storage of `value`, which holds the bytes `secret`, is now locked.
    static func lockStorage<T>(of value: T, secret: [UInt8]) -> Bool {
        withUnsafeBytes(of: value) { inline in
            var covered = false
            for offset in stride(from: 0, through: inline.count - MemoryLayout<UInt>.size, by: MemoryLayout<UInt>.size) {
                let word = inline.loadUnaligned(fromByteOffset: offset, as: UInt.self)
                // Heap references are aligned and far from address 0; anything else is data.
                guard word >= 1 << 16, word % UInt(MemoryLayout<UInt>.alignment) == 0,
                      let object = UnsafeRawPointer(bitPattern: word)
                else { continue }
                // mlock checks the range is mapped: a word that only looked like a pointer
                // fails here harmlessly, and after success the range is safe to read.
                guard chyperion_lock_pages(object, objectSpan) == 0 else { continue }
                covered = contains(UnsafeRawBufferPointer(start: object, count: objectSpan), secret) || covered
            }
            return covered
        }
    }

    /// Constant-time per position, so the scan does not time the secret's bytes.
    private static func contains(_ memory: UnsafeRawBufferPointer, _ secret: [UInt8]) -> Bool {
        var found = false
        for start in 0...(memory.count - secret.count) {
            found = ConstantTime.equals(memory[start..<start + secret.count], secret) || found
        }
        return found
    }
}
#endif
