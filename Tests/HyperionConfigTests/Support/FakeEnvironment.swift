import HyperionConfig
import HyperionCrypto

/// An in-memory environment that remembers what was read and removed.
final class FakeEnvironment {
    var variables: [String: String]
    var removed: [String] = []

    init(_ variables: [String: String] = [:]) { self.variables = variables }

    var secretEnvironment: SecretEnvironment {
        SecretEnvironment(
            read: { self.variables[$0] },
            remove: { self.variables[$0] = nil; self.removed.append($0) }
        )
    }
}

/// A stand-in for Argon2id that counts its calls. The key depends on both inputs, so a
/// test can tell which passphrase and salt reached it.
final class CountingDeriver {
    var calls: [(passphrase: String, salt: String)] = []

    func derive(_ passphrase: String, _ salt: String) throws -> PresharedKey {
        calls.append((passphrase, salt))
        return Self.expectedKey(passphrase: passphrase, salt: salt)
    }

    static func expectedKey(passphrase: String, salt: String) -> PresharedKey {
        var bytes = [UInt8](repeating: 0x5a, count: 32)
        for (index, byte) in Array((passphrase + "\u{0}" + salt).utf8).enumerated() {
            bytes[index % 32] = bytes[index % 32] &* 31 &+ byte
        }
        return try! PresharedKey(rawBytes: bytes)
    }
}

/// A prompt that answers from a script and counts how often it was asked.
final class ScriptedPrompt {
    var answer: Result<String, ConfigError>
    var prompts: [String] = []

    init(_ answer: Result<String, ConfigError>) { self.answer = answer }

    func ask(_ prompt: String) throws -> String {
        prompts.append(prompt)
        return try answer.get()
    }
}
