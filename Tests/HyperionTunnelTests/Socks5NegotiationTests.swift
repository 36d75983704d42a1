import Testing
@testable import HyperionTunnel

/// The SOCKS5 handshake (RFC 1928) as `run -D` speaks it: issue 19, item 3.
@Suite struct Socks5NegotiationTests {
    static let greeting: [UInt8] = [5, 2, 2, 0]   // offers username/password and no authentication
    static let selected = Socks5Negotiation.Action.send([5, 0])

    static func request(command: UInt8 = 1, type: UInt8, address: [UInt8], port: UInt16) -> [UInt8] {
        [5, command, 0, type] + address + [UInt8(port >> 8), UInt8(port & 0xFF)]
    }

    @Test func aGreetingThenAConnectToANameInPieces() {
        var machine = Socks5Negotiation()
        let name = Array("web1.hyperion".utf8)
        let bytes = Self.greeting + Self.request(type: 3, address: [UInt8(name.count)] + name, port: 22) + Array("SSH-2.0".utf8)
        var actions: [Socks5Negotiation.Action] = []
        for byte in bytes { actions += machine.receive([byte]) }   // one byte at a time
        #expect(actions == [Self.selected, .connect(host: "web1.hyperion", port: 22, surplus: [])])
        #expect(machine.receive(Array("more".utf8)).isEmpty, "after the request the machine is done")

        // Data sent without waiting for the reply comes back as surplus, for the relay.
        var eager = Socks5Negotiation()
        #expect(eager.receive(bytes) == [Self.selected, .connect(host: "web1.hyperion", port: 22, surplus: Array("SSH-2.0".utf8))])
    }

    @Test func ipv4AndIPv6DestinationsInOneDelivery() {
        var v4 = Socks5Negotiation()
        #expect(v4.receive(Self.greeting + Self.request(type: 1, address: [203, 0, 113, 10], port: 5432)) == [
            Self.selected, .connect(host: "203.0.113.10", port: 5432, surplus: []),
        ])
        var v6 = Socks5Negotiation()
        let address: [UInt8] = [0xfd, 0x68, 0x79, 0x70] + [UInt8](repeating: 0, count: 11) + [0x0a]
        #expect(v6.receive(Self.greeting + Self.request(type: 4, address: address, port: 443)) == [
            Self.selected, .connect(host: "fd68:7970:0:0:0:0:0:a", port: 443, surplus: []),
        ])
    }

    @Test func refusalsCarryTheirReplyCodes() {
        var noMethod = Socks5Negotiation()
        #expect(noMethod.receive([5, 1, 2]) == [.fail(reply: [5, 0xFF], reason: "the client offers no method without authentication")])

        var bind = Socks5Negotiation()
        let actions = bind.receive(Self.greeting + Self.request(command: 2, type: 1, address: [127, 0, 0, 1], port: 22))
        #expect(actions.count == 2)
        guard case let .fail(reply?, _) = actions.last else { Issue.record("\(actions)"); return }
        #expect(reply[1] == 7, "command not supported")

        var badType = Socks5Negotiation()
        guard case let .fail(reply2?, _) = badType.receive(Self.greeting + [5, 1, 0, 9, 0, 0]).last else { Issue.record("no failure"); return }
        #expect(reply2[1] == 8, "address type not supported")

        var socks4 = Socks5Negotiation()
        #expect(socks4.receive([4, 1, 0, 22]).first.map { if case .fail(nil, _) = $0 { true } else { false } } == true)

        var emptyName = Socks5Negotiation()
        guard case let .fail(reply3?, _) = emptyName.receive(Self.greeting + Self.request(type: 3, address: [0], port: 22)).last else {
            Issue.record("no failure"); return
        }
        #expect(reply3[1] == 4, "host unreachable")
    }

    /// The longest request there is (a 255-byte name) completes; nothing longer can wait.
    @Test func theLongestNameIsAccepted() {
        var machine = Socks5Negotiation()
        let name = [UInt8](repeating: UInt8(ascii: "a"), count: 255)
        #expect(machine.receive(Self.greeting + Self.request(type: 3, address: [255] + name, port: 80)).last
            == .connect(host: String(repeating: "a", count: 255), port: 80, surplus: []))
    }

    @Test func replyCodesForTheStreamsAnswers() {
        #expect(Socks5Connection.replyCode(for: TunnelError(.streamDenied, "x")) == .notAllowedByRuleset)
        #expect(Socks5Connection.replyCode(for: TunnelError(.streamUnreachable, "x")) == .connectionRefused)
        #expect(Socks5Connection.replyCode(for: TunnelError(.noLiveTunnel, "x")) == .networkUnreachable)
        #expect(Socks5Connection.replyCode(for: TunnelError(.transportFailed, "x")) == .generalFailure)
    }
}
