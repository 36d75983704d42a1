import Testing

/// Records the first knock a host sends, as an eavesdropper on its link would: an
/// AF_PACKET socket on the host's `eth0` sees outgoing frames too. The bytes are what the
/// real client put on the wire, so replaying them is a true replay, not a reconstruction.
struct KnockCapture {
    /// argv: UDP port, seconds to wait. Prints "ready" once listening, then "knock HEX"
    /// for the first 44-byte datagram to the port that starts with the magic.
    private static let script = """
        import socket, struct, sys, time
        port, timeout = int(sys.argv[1]), float(sys.argv[2])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        s.bind(('eth0', 0))
        s.settimeout(0.2)
        print('ready', flush=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                frame = s.recv(65535)
            except socket.timeout:
                continue
            ethertype = struct.unpack('!H', frame[12:14])[0]
            if ethertype == 0x0800 and frame[23] == 17:
                udp = 14 + (frame[14] & 0x0f) * 4
            elif ethertype == 0x86dd and frame[20] == 17:
                udp = 54
            else:
                continue
            dport, length = struct.unpack('!HH', frame[udp + 2:udp + 6])
            payload = frame[udp + 8:udp + length]
            if dport == port and len(payload) == 44 and payload[:4] == b'HVPK':
                print('knock', payload.hex(), flush=True)
                sys.exit(0)
        sys.exit(3)
        """

    let process: ChildProcess

    /// Starts listening on `host` and returns once the socket is bound.
    static func start(on host: NetworkHost, port: Int, directory: String, timeout: Int = 30) async throws -> KnockCapture {
        let process = try ChildProcess(
            name: "capture-\(host.role)", executable: SystemTool.ip,
            arguments: host.inside([SystemTool.python3, "-c", script, "\(port)", "\(timeout)"]), directory: directory,
            user: .runner  // `ip netns exec` and the packet socket need root
        )
        guard try await process.waitForOutput("ready", timeout: .seconds(10)) else {
            throw TestFailure("the knock capture on \(host) did not start")
        }
        return KnockCapture(process: process)
    }

    /// The captured knock datagram; waits for it up to the capture's own timeout.
    func knock() async throws -> [UInt8] {
        guard try await process.waitForExit(timeout: .seconds(40)) == 0 else {
            throw TestFailure("no knock was captured:\n\(process.output)")
        }
        guard let line = process.output.split(separator: "\n").first(where: { $0.hasPrefix("knock ") }),
              let bytes = [UInt8](hex: line.dropFirst("knock ".count))
        else { throw TestFailure("the knock capture printed no knock:\n\(process.output)") }
        return bytes
    }
}
