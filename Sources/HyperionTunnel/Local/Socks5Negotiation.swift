/// The SOCKS5 handshake of a local connection (RFC 1928), as a pure machine: bytes in,
/// replies and a destination out, no I/O. Only what a tunnel to a server's loopback
/// needs: no authentication (method 0), CONNECT only.
///
/// Bounded by construction: a greeting is at most 2 + 255 bytes and a request at most
/// 4 + 1 + 255 + 2, and each is parsed as soon as it is complete, so a client can make it
/// keep at most 262 bytes (plus one delivery); the listener bounds the time.
struct Socks5Negotiation {
    /// Reply codes of RFC 1928, section 6.
    enum ReplyCode: UInt8, Sendable {
        case succeeded = 0
        case generalFailure = 1
        case notAllowedByRuleset = 2
        case networkUnreachable = 3
        case hostUnreachable = 4
        case connectionRefused = 5
        case commandNotSupported = 7
        case addressTypeNotSupported = 8
    }

    enum Action: Equatable {
        /// Write these bytes to the client (the method selection).
        case send([UInt8])
        /// The client asked to connect to `host` (a name, or an IP address as text) and
        /// `port`; `surplus` is what it sent after the request (data sent without waiting).
        case connect(host: String, port: UInt16, surplus: [UInt8])
        /// Write `reply` (if any) and close: the reason is for the log.
        case fail(reply: [UInt8]?, reason: String)
    }

    private enum State { case greeting, request, done }

    private var state = State.greeting
    private var buffer: [UInt8] = []

    static let version: UInt8 = 5
    static let noAuthentication: UInt8 = 0
    static let noAcceptableMethod: UInt8 = 0xFF
    /// A reply to a request: `code`, and a bound address of 0.0.0.0:0, which a CONNECT
    /// client does not use.
    static func reply(_ code: ReplyCode) -> [UInt8] {
        [version, code.rawValue, 0, 1, 0, 0, 0, 0, 0, 0]
    }

    /// Feeds what the client sent; returns what to do, in order.
    mutating func receive(_ bytes: [UInt8]) -> [Action] {
        guard state != .done else { return [] }
        buffer += bytes
        var actions: [Action] = []
        while true {
            switch state {
            case .greeting:
                guard let action = greeting() else { return actions }
                actions.append(action)
                if case .fail = action { state = .done; return actions }
                state = .request
            case .request:
                guard let action = request() else { return actions }
                state = .done
                return actions + [action]
            case .done:
                return actions
            }
        }
    }

    /// VER NMETHODS METHODS…
    private mutating func greeting() -> Action? {
        guard buffer.count >= 2 else { return nil }
        guard buffer[0] == Self.version else {
            return .fail(reply: nil, reason: "not SOCKS5 (version byte \(buffer[0]))")
        }
        let count = Int(buffer[1])
        guard buffer.count >= 2 + count else { return nil }
        let methods = buffer[2..<(2 + count)]
        buffer.removeFirst(2 + count)
        guard methods.contains(Self.noAuthentication) else {
            return .fail(reply: [Self.version, Self.noAcceptableMethod], reason: "the client offers no method without authentication")
        }
        return .send([Self.version, Self.noAuthentication])
    }

    /// VER CMD RSV ATYP DST.ADDR DST.PORT
    private mutating func request() -> Action? {
        guard buffer.count >= 5 else { return nil }
        guard buffer[0] == Self.version else {
            return .fail(reply: Self.reply(.generalFailure), reason: "a request with version byte \(buffer[0])")
        }
        let addressLength: Int
        switch buffer[3] {
        case 1: addressLength = 4
        case 4: addressLength = 16
        case 3: addressLength = 1 + Int(buffer[4])
        default:
            return .fail(reply: Self.reply(.addressTypeNotSupported), reason: "address type \(buffer[3])")
        }
        let total = 4 + addressLength + 2
        guard buffer.count >= total else { return nil }
        let command = buffer[1]
        let isName = buffer[3] == 3
        let address = Array(buffer[4..<(4 + addressLength)])
        let port = UInt16(buffer[total - 2]) << 8 | UInt16(buffer[total - 1])
        let surplus = Array(buffer[total...])
        buffer = []
        guard command == 1 else {
            return .fail(reply: Self.reply(.commandNotSupported), reason: "command \(command) (only CONNECT, 1, is supported)")
        }
        let host: String
        if !isName {
            host = IPText.format(address)
        } else {
            let name = address.dropFirst()
            guard !name.isEmpty, name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                return .fail(reply: Self.reply(.hostUnreachable), reason: "a host name that is empty or not printable ASCII")
            }
            host = String(decoding: name, as: UTF8.self)
        }
        return .connect(host: host, port: port, surplus: surplus)
    }
}

/// IP addresses as text, without Foundation or sockets: what `ServerLookup` compares.
enum IPText {
    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        // Plain groups, no zero compression: IPAddress parses any spelling.
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}
