import Testing
@testable import HyperionCrypto
#if canImport(Glibc)
import Glibc
#endif

@Suite struct KeyFileTests {
    func temporaryPath(_ name: String) -> String {
        let dir = "/tmp/hyperion-keyfile-tests-\(getpid())"
        mkdir(dir, 0o700)
        return dir + "/" + name
    }

    @Test func writesMode0600AndReadsBack() throws {
        let path = temporaryPath("roundtrip.key")
        unlink(path)
        let key = X25519SecretKey.generate()
        try KeyFile.write(key, to: path)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let loaded = try KeyFile.readSecretKey(at: path)
        #expect(loaded.publicKey == key.publicKey)
        let text = try SecretFile.readText(at: path, what: "key file")
        #expect(text == key.base64 + "\n")
    }

    @Test func refusesToOverwrite() throws {
        let path = temporaryPath("exists.key")
        unlink(path)
        try KeyFile.write(.generate(), to: path)
        #expect(throws: HyperionCryptoError.self) { try KeyFile.write(.generate(), to: path) }
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o620, 0o602])
    func refusesFilesOthersCanUse(mode: Int) throws {
        let path = temporaryPath("open-\(mode).key")
        unlink(path)
        try KeyFile.write(.generate(), to: path)
        chmod(path, mode_t(mode))
        do {
            _ = try KeyFile.readSecretKey(at: path)
            Issue.record("a key file with mode \(String(mode, radix: 8)) was accepted")
        } catch let error as HyperionCryptoError {
            #expect(error.kind == .insecureKeyFile)
            #expect(error.message.contains("chmod 600"))
            #expect(error.message.contains(path))
        }
    }

    @Test func rejectsGarbageContent() throws {
        let path = temporaryPath("garbage.key")
        unlink(path)
        try SecretFile.createText("not a key\n", at: path, what: "key file")
        #expect(throws: HyperionCryptoError.self) { try KeyFile.readSecretKey(at: path) }
    }

    @Test func keyTextRoundTripAndBadText() throws {
        let key = X25519SecretKey.generate()
        let pub = try X25519PublicKey(base64: key.publicKey.base64)
        #expect(pub == key.publicKey)
        #expect(pub.base64.count == 44)
        for bad in ["", "abc", String(repeating: "A", count: 43), String(repeating: "!", count: 44),
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" + "A"] {
            #expect(throws: HyperionCryptoError.self) { try X25519PublicKey(base64: bad) }
        }
        #expect(!"\(key)".contains(key.base64))
    }

    @Test func constantTimeEquality() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2], [1, 2, 3]))
        #expect(ConstantTime.contains([[1], [2], [3]], [2]))
        #expect(!ConstantTime.contains([[1], [2], [3]], [4]))
    }
}

/// Issue 15: a 44-character text that is not a key said "expected 44 characters, got 44".
@Suite struct KeyTextMessageTests {
    @Test func aKeyOfTheRightLengthThatIsNotBase64SaysWhatIsWrong() {
        let text = String(repeating: "-", count: 43) + "="
        #expect { try KeyText.decode(text, what: "server_pubkey") } throws: { error in
            let message = "\(error)"
            return message.contains("server_pubkey is not a valid key") && message.contains("not standard base64") && !message.contains("got 44")
        }
        #expect { try KeyText.decode("abc", what: "psk") } throws: { "\($0)".contains("it has 3 characters") }
    }
}
