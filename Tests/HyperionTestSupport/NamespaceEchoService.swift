import Testing

/// The service behind the tunnel: an echo server on the server host's 127.0.0.1, the
/// only address the server dials (PROTOCOL.md §6). It echoes until the peer half-closes,
/// then half-closes too, so a client can tell a complete reply from a cut one.
enum NamespaceEchoService {
    private static let script = """
        import socket, sys, threading
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(('127.0.0.1', int(sys.argv[1])))
        listener.listen(64)
        print('ready', flush=True)
        def serve(connection):
            with connection:
                while True:
                    data = connection.recv(65536)
                    if not data:
                        break
                    connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
        while True:
            connection, _ = listener.accept()
            threading.Thread(target=serve, args=(connection,), daemon=True).start()
        """

    static func start(on host: NetworkHost, port: Int, directory: String) async throws -> ChildProcess {
        let process = try ChildProcess(
            name: "echo-\(host.role)", executable: SystemTool.ip,
            arguments: host.inside([SystemTool.python3, "-c", script, "\(port)"]), directory: directory,
            user: .runner  // `ip netns exec` needs root
        )
        guard try await process.waitForOutput("ready", timeout: .seconds(10)) else {
            throw TestFailure("the echo service on \(host) did not start")
        }
        return process
    }
}
