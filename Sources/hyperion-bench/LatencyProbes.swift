// Latency probes for the benchmark. Each prints its samples, in microseconds, on one line
// so the driver can merge rounds before taking percentiles.

/// `hyperion-bench pingpong`: one connection, `count` round trips of `size` bytes.
func runPingPong(port: UInt16, count: Int, size: Int, warmup: Int) throws {
    let socket = try BlockingSocket.connect(port: port)
    defer { socket.close() }
    let message = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    let reply = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer {
        message.deallocate()
        reply.deallocate()
    }
    message.initializeMemory(as: UInt8.self, repeating: 0x5a, count: size)
    var samples = [Double]()
    samples.reserveCapacity(count)
    for round in 0..<(warmup + count) {
        let start = nowMicroseconds()
        try socket.writeAll(message, count: size)
        try socket.readFull(into: reply, count: size)
        if round >= warmup { samples.append(nowMicroseconds() - start) }
    }
    printSamples(samples)
}

/// `hyperion-bench open`: `count` times, a new connection, one byte out and its echo
/// back: how long opening a stream takes, as an application sees it.
func runOpenLatency(port: UInt16, count: Int, warmup: Int) throws {
    var byte: UInt8 = 0x5a
    var samples = [Double]()
    for round in 0..<(warmup + count) {
        let start = nowMicroseconds()
        let socket = try BlockingSocket.connect(port: port)
        try socket.writeAll(&byte, count: 1)
        try socket.readFull(into: &byte, count: 1)
        if round >= warmup { samples.append(nowMicroseconds() - start) }
        socket.close()
    }
    printSamples(samples)
}

func nowMicroseconds() -> Double { nowMilliseconds() * 1000 }

func printSamples(_ samples: [Double]) {
    print(samples.map { format3($0) }.joined(separator: " "))
}
