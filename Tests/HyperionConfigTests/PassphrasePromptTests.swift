import Testing
@testable import HyperionConfig
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PassphrasePromptTests {
    @Test func noTerminalDevice() {
        expectConfigError(.noTerminal, mentioning: ["no terminal to ask for the passphrase", "/nonexistent/tty", "passphrase_env"]) {
            try PassphrasePrompt(terminalPath: "/nonexistent/tty").ask("Passphrase: ")
        }
    }

    @Test func aFileIsNotATerminal() throws {
        let path = ConfigFileTests.directory + "/not-a-tty"
        close(open(path, O_WRONLY | O_CREAT, 0o600))
        expectConfigError(.noTerminal, mentioning: ["not a terminal", "passphrase_env"]) {
            try PassphrasePrompt(terminalPath: path).ask("Passphrase: ")
        }
    }

    #if os(Linux)
    /// A real terminal: a pseudo-terminal whose far end plays the person typing.
    @Test func readsALineWithoutEchoAndRestoresTheTerminal() throws {
        let pty = try PseudoTerminal()
        let typist = pty.typeAfterPrompt("Passphrase: ", line: "s3cret pass\n")
        let passphrase = try PassphrasePrompt(terminalPath: pty.replicaPath).ask("Passphrase: ")
        let screen = typist.wait()
        #expect(passphrase == "s3cret pass")
        #expect(screen.contains("Passphrase: "))
        #expect(!screen.contains("s3cret"), "the passphrase was echoed: \(screen.debugDescription)")
        #expect(pty.echoIsOn)
        #expect(pty.signalsAreOn)
    }

    @Test func ctrlCCancelsAndRestoresTheTerminal() throws {
        let pty = try PseudoTerminal()
        let typist = pty.typeAfterPrompt("Passphrase: ", line: "half\u{03}")
        expectConfigError(.cancelled, mentioning: ["interrupted"]) {
            try PassphrasePrompt(terminalPath: pty.replicaPath).ask("Passphrase: ")
        }
        _ = typist.wait()
        #expect(pty.echoIsOn)
        #expect(pty.signalsAreOn)
    }

    @Test func overlongPassphraseIsRefused() throws {
        let pty = try PseudoTerminal()
        let typist = pty.typeAfterPrompt("P: ", line: String(repeating: "x", count: PassphrasePrompt.maximumLength + 1) + "\n")
        expectConfigError(.invalidValue, mentioning: ["longer than 1024 bytes"]) {
            try PassphrasePrompt(terminalPath: pty.replicaPath).ask("P: ")
        }
        _ = typist.wait()
        #expect(pty.echoIsOn)
    }
    #endif
}
