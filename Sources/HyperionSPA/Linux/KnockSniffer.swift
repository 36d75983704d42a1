#if os(Linux)
import CHyperionLinux
import Glibc
import HyperionWire
import Logging
import Synchronization

/// The gate's thread: waits in poll() on the packet socket and an eventfd, feeds each
/// frame to the `KnockProcessor` and carries out its decisions.
///
/// One thread, because everything it does is sequential and cheap except the rare `nft`
/// call for an authenticated knock; frames that arrive meanwhile wait in the socket's
/// (large) receive buffer. The eventfd is how `stop()` wakes it: closing a descriptor
/// that another thread polls does not.
final class KnockSniffer: Sendable {
    private let socket: PacketSocket
    private let wakeup: Int32
    private let thread: Mutex<pthread_t?>

    private init(socket: PacketSocket, wakeup: Int32, thread: pthread_t) {
        self.socket = socket
        self.wakeup = wakeup
        self.thread = Mutex(thread)
    }

    static func start(
        settings: SPASettings, firewall: NftablesFirewall, logger: Logger, statistics: StatisticsBox
    ) throws(SPAError) -> KnockSniffer {
        let socket = try PacketSocket.open(knockPort: settings.knockPort, receiveBufferBytes: settings.receiveBufferBytes)
        let wakeup = chyperion_eventfd()
        guard wakeup >= 0 else {
            socket.close()
            throw PacketSocket.failure("creating an eventfd", -wakeup)
        }
        let verifier = KnockVerifier(
            key: settings.knockKey, serverPublicKey: settings.serverPublicKey,
            windowSeconds: settings.windowSeconds, clock: settings.clock
        )
        let processor = KnockProcessor(
            knockPort: settings.knockPort, verifier: verifier, cooldownSeconds: settings.cooldownSeconds,
            clock: settings.clock, summaryIntervalNanoseconds: settings.summaryIntervalSeconds * 1_000_000_000,
            monotonicNow: MonotonicClock.nanoseconds()
        )
        let loop = SnifferLoop(
            socket: socket, wakeup: wakeup, processor: processor, firewall: firewall, logger: logger, statistics: statistics
        )
        do throws(SPAError) {
            let thread = try SnifferThread.spawn { loop.run() }
            return KnockSniffer(socket: socket, wakeup: wakeup, thread: thread)
        } catch {
            socket.close()
            close(wakeup)
            throw error
        }
    }

    /// Wakes the thread, waits for it to finish its current frame and exit, then closes
    /// the descriptors. Safe to call more than once.
    func stop() {
        guard let thread = thread.withLock({ value in defer { value = nil }; return value }) else { return }
        _ = chyperion_eventfd_signal(wakeup)
        pthread_join(thread, nil)
        socket.close()
        close(wakeup)
    }
}

/// Starts a joinable pthread running one closure.
enum SnifferThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    static func spawn(_ run: @escaping @Sendable () -> Void) throws(SPAError) -> pthread_t {
        let body = Unmanaged.passRetained(Body(run))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, body.toOpaque())
        guard result == 0 else {
            body.release()
            throw PacketSocket.failure("starting the sniffer thread", result)
        }
        return thread
    }
}
#endif
