/// What a TCP connect from one test host to another ends in.
///
/// The SPA claim is that the tunnel port is *filtered*: the SYN is dropped, so the connect
/// neither succeeds nor is reset, it times out. A closed port (RST) would tell a scanner
/// that the host is there; an open one would defeat the knock. So the three are kept apart.
enum TCPOutcome: Equatable, Sendable, CustomStringConvertible {
    case open
    /// Answered with RST.
    case refused
    /// No answer within the probe's timeout.
    case filtered
    /// Anything else, by errno name (EHOSTUNREACH, ENETUNREACH, …).
    case failed(String)

    init(_ word: Substring) {
        switch word {
        case "open": self = .open
        case "refused": self = .refused
        case "filtered": self = .filtered
        default: self = .failed(String(word))
        }
    }

    var description: String {
        switch self {
        case .open: "open"
        case .refused: "refused (RST)"
        case .filtered: "filtered (timed out)"
        case .failed(let errno): "failed (\(errno))"
        }
    }
}

/// Non-blocking TCP connects from inside a test host, all at once, each bounded by the
/// same timeout: probing a thousand filtered ports takes one timeout, not a thousand.
enum TCPProbe {
    /// argv: timeout, then targets as "address,port". Prints "address,port outcome" per
    /// target. poll(), not select(): a sweep holds more than FD_SETSIZE sockets.
    static let script = """
        import errno, resource, select, socket, sys, time
        timeout = float(sys.argv[1])
        targets = sys.argv[2:]
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = len(targets) + 64
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))
        def word(code):
            if code == 0: return 'open'
            if code == errno.ECONNREFUSED: return 'refused'
            return errno.errorcode.get(code, str(code))
        results, pending = {}, {}
        poller = select.poll()
        for target in targets:
            host, port = target.rsplit(',', 1)
            s = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            code = s.connect_ex((host, int(port)))
            if code == errno.EINPROGRESS:
                pending[s.fileno()] = (s, target)
                poller.register(s, select.POLLOUT)
            else:
                results[target] = word(code)
                s.close()
        deadline = time.monotonic() + timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0: break
            for fd, _ in poller.poll(left * 1000):
                s, target = pending.pop(fd)
                poller.unregister(fd)
                results[target] = word(s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
                s.close()
        for s, target in pending.values():
            results[target] = 'filtered'
            s.close()
        for target in targets:
            print(target, results[target])
        """

    /// The outcome of a connect from `source` to each port of `address`.
    static func outcomes(from source: NetworkHost, to address: String, ports: [Int], timeout: Double = 1) async throws -> [Int: TCPOutcome] {
        let targets = ports.map { "\(address),\($0)" }
        let result = try await source.python(script, ["\(timeout)"] + targets, timeout: .seconds(Int64(timeout) + 20))
        guard result.status == 0 else { throw TestFailure("TCP probe from \(source) failed:\n\(result.output)") }
        var outcomes: [Int: TCPOutcome] = [:]
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let port = fields[0].split(separator: ",").last.flatMap({ Int($0) }) else { continue }
            outcomes[port] = TCPOutcome(fields[1])
        }
        guard outcomes.count == Set(ports).count else { throw TestFailure("TCP probe from \(source) answered for \(outcomes.count) of \(ports.count) ports:\n\(result.output)") }
        return outcomes
    }

    /// The outcome of one connect from `source` to `address`:`port`.
    static func outcome(from source: NetworkHost, to address: String, port: Int, timeout: Double = 1) async throws -> TCPOutcome {
        try await outcomes(from: source, to: address, ports: [port], timeout: timeout)[port]!
    }
}
