import HyperionCrypto
import HyperionWire
import Testing
@testable import HyperionSPA

@Suite struct SPASettingsTests {
    func settings() throws -> SPASettings {
        SPASettings(
            knockPort: 8443, tunnelPort: 8443,
            knockKey: KnockKey(presharedKey: try PresharedKey(rawBytes: [UInt8](repeating: 1, count: 32))),
            serverPublicKey: X25519SecretKey.generate().publicKey
        )
    }

    @Test func defaultsAreValid() throws {
        let defaults = try settings()
        try defaults.validate()
        #expect(defaults.windowSeconds == 30 && defaults.elementTimeoutSeconds == 60)
        #expect(defaults.table == "hyperion" && defaults.set == "knock_allow" && defaults.set6 == "knock_allow6")
    }

    @Test func theCooldownMustBeShorterThanTheTimeout() throws {
        var tooLong = try settings()
        tooLong.cooldownSeconds = 60
        #expect(throws: SPAError.self) { try tooLong.validate() }
        tooLong.elementTimeoutSeconds = 61
        try tooLong.validate()
    }

    @Test func refusesImpossibleValues() throws {
        var base = try settings()
        base.knockPort = 0
        #expect(throws: SPAError.self) { try base.validate() }
        base = try settings()
        base.windowSeconds = 0
        #expect(throws: SPAError.self) { try base.validate() }
        base = try settings()
        base.elementTimeoutSeconds = 0
        base.cooldownSeconds = 0
        #expect(throws: SPAError.self) { try base.validate() }
        base = try settings()
        base.table = "bad name"
        #expect(throws: SPAError.self) { try base.validate() }
        base = try settings()
        base.receiveBufferBytes = 1
        #expect(throws: SPAError.self) { try base.validate() }
    }
}
