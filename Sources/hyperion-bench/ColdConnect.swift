// `hyperion-bench cold`: how long a client without a tunnel waits for its first byte.
// Each try, on a new TCP connection to `host` (default 127.0.0.1) and without a knock:
// connect, handshake, open a stream
// to the server's 127.0.0.1:`target` (SYN + port, answer 0), send one byte and wait for
// its echo. Prints the samples in µs, like the other probes.
import NIOCore

func runColdConnect(host: String, port: UInt16, target: UInt16, keys: TunnelKeys, count: Int, warmup: Int) throws {
    var samples = [Double]()
    samples.reserveCapacity(count)
    for round in 0..<(warmup + count) {
        let start = nowMicroseconds()
        let tunnel = try MinimalTunnel.connect(port: port, host: host, keys: keys)
        var stream = ByteBuffer()
        try tunnel.openStream(1, port: target, stream: &stream)
        try tunnel.sendData(1, [0x5a])
        try tunnel.receive(onStream: 1, into: &stream, atLeast: 1)
        let elapsed = nowMicroseconds() - start
        guard stream.readInteger(as: UInt8.self) == 0x5a else {
            throw BenchFailure("the echo service sent back a different byte")
        }
        if round >= warmup { samples.append(elapsed) }
        try tunnel.closeAndDrain()
    }
    printSamples(samples)
}
