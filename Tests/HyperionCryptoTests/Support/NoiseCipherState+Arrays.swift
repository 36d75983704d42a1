@testable import HyperionCrypto

/// Array conveniences over the buffer-based transport API, for tests.
extension NoiseCipherState {
    mutating func seal(_ plaintext: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: plaintext.count + Self.tagByteCount)
        let written = try plaintext.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { try seal(input, into: $0) }
        }
        return Array(output[..<written])
    }

    mutating func open(_ ciphertext: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: max(0, ciphertext.count - Self.tagByteCount))
        let written = try ciphertext.withUnsafeBytes { input in
            try output.withUnsafeMutableBytes { try open(input, into: $0) }
        }
        return Array(output[..<written])
    }
}
