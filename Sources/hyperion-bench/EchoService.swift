// `hyperion-bench echo`: a loopback echo service, one thread per connection, that prints
// its port and serves until killed.
import Foundation

func runEchoService(port: UInt16) throws -> Never {
    let (listener, bound) = try BlockingSocket.listen(port: port)
    print(bound)
    fflush(nil)  // the driver reads the port through a pipe
    while true {
        let connection = try listener.accept()
        Thread.detachNewThread {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65536, alignment: 16)
            defer {
                buffer.deallocate()
                connection.close()
            }
            while let n = try? connection.readSome(into: buffer, count: 65536), n > 0 {
                guard (try? connection.writeAll(buffer, count: n)) != nil else { return }
            }
            connection.shutdownOutput()
        }
    }
}
