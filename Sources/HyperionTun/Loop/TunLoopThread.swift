#if os(Linux)
import Glibc

/// What the packet thread runs.
protocol TunLoopBody: AnyObject {
    func run()
}

/// Starts a joinable pthread running a `TunLoopBody`.
enum TunLoopThread {
    /// Hands the body (and the handler inside it) to the new thread, which is from then on
    /// its only user: hence `@unchecked Sendable`.
    final class Body: @unchecked Sendable {
        let body: any TunLoopBody
        init(_ body: any TunLoopBody) { self.body = body }
        func run() { body.run() }
    }

    static func spawn(_ run: Body) throws(TunError) -> pthread_t {
        let body = Unmanaged.passRetained(run)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, body.toOpaque())
        guard result == 0 else {
            body.release()
            throw TunError.systemCall("starting the TUN packet thread", result)
        }
        return thread
    }
}

/// Nanoseconds on the monotonic clock, for the tick schedule.
enum TunMonotonicClock {
    static func nanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
#endif
