import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The socket options Hyperion sets, in one place.
enum TunnelSocketOptions {
    /// TCP keepalive: first probe after 20 s idle keeps conntrack (and the SPA-opened
    /// firewall state) warm; 3 probes 5 s apart then declare the peer gone.
    static let keepaliveIdleSeconds = 20
    static let keepaliveIntervalSeconds = 5
    static let keepaliveProbes = 3

    static let keepIdle = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPIDLE))
    static let keepInterval = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPINTVL))
    static let keepCount = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_KEEPCNT))
    /// How long sent data may stay unacknowledged before the kernel gives the connection
    /// up. Set to the ping timeout: by then the session declares the path dead anyway, and
    /// without it the kernel keeps retransmitting into a dead path for about 15 minutes.
    static let userTimeout = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_USER_TIMEOUT)))

    static func userTimeoutValue(_ timeout: TimeAmount) -> SocketOptionValue {
        SocketOptionValue(clamping: timeout.nanoseconds / 1_000_000)
    }
    /// TCP_NOTSENT_LOWAT: the kernel takes no more from us while this many bytes wait in the
    /// socket unsent, so they wait in NIO instead, where the yamux session still writes
    /// before them what must not wait. Without it the send buffer grows to megabytes (4 MiB
    /// with Linux's defaults), and a window update, a ping or its answer, written behind
    /// them, waits until they are all sent: on a lossy path, where a loss-based congestion
    /// control keeps the window small, for a second or more, while the peer's stream stalls
    /// for want of that window update (docs/PERFORMANCE.md, "Loss"). What is in flight is
    /// not limited, only what is queued behind it.
    static let notSentLowWater = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: CInt(TCP_NOTSENT_LOWAT)))
    static let notSentLowWaterBytes: SocketOptionValue = 128 * 1024
    /// TCP_RTO_MAX_MS, Linux 6.15 and later (include/uapi/linux/tcp.h); the C headers here
    /// predate it, hence the number. The longest the kernel waits between two
    /// retransmissions, 120 s by default: after a silent outage its exponential backoff puts
    /// the next retransmission of what the outage swallowed (a ping, its answer) seconds
    /// after the path is back, and until then the connection stays suspect, its streams
    /// stalled. At 1 s, the least the kernel accepts, the connection is heard again within
    /// about a second of the path's return; what it costs is at most one retransmission a
    /// second while a path is dead, until the user timeout gives the connection up.
    static let retransmissionTimeoutMax = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: 44))
    static let retransmissionTimeoutMaxMilliseconds: SocketOptionValue = 1000
    /// Reads grow to 256 KiB when the socket keeps filling them (NIO's default stops at
    /// 64 KiB): a bulk transfer then costs a quarter of the read calls and pipeline passes.
    /// The buffer exists only during a read, so an idle stream costs nothing for it.
    static var recvAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 4096, maximum: 256 * 1024)
    }

    #if os(Linux)
    /// SO_MARK lets policy routing keep the tunnel's own sockets off the TUN device.
    static let mark = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_MARK))
    static let reusePort = ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: SO_REUSEPORT))
    #endif
}

extension TunnelSocketOptions {
    struct Setting {
        let option: ChannelOptions.Types.SocketOption
        let value: SocketOptionValue
        /// Only where the kernel has it: a kernel that answers ENOPROTOOPT does without it,
        /// and the connection goes ahead. Set from the channel initializer
        /// (`setTunnelOptionsIfSupported`), since a bootstrap's option that fails fails the
        /// connection.
        var ifSupported = false
    }

    /// The integer socket options of a tunnel connection, either end: no Nagle, a user
    /// timeout equal to the ping timeout, a small unsent queue, keepalive, and where the
    /// kernel has it a short ceiling on the retransmission timeout.
    static func tunnelOptions(userTimeout timeout: TimeAmount) -> [Setting] {
        [
            Setting(option: .tcpOption(.tcp_nodelay), value: 1),
            Setting(option: userTimeout, value: userTimeoutValue(timeout)),
            Setting(option: notSentLowWater, value: notSentLowWaterBytes),
            Setting(option: .socketOption(.so_keepalive), value: 1),
            Setting(option: keepIdle, value: SocketOptionValue(keepaliveIdleSeconds)),
            Setting(option: keepInterval, value: SocketOptionValue(keepaliveIntervalSeconds)),
            Setting(option: keepCount, value: SocketOptionValue(keepaliveProbes)),
            Setting(option: retransmissionTimeoutMax, value: retransmissionTimeoutMaxMilliseconds, ifSupported: true),
        ]
    }
}

extension ClientBootstrap {
    /// Options for a tunnel connection (client to server), plus an optional mark. The
    /// channel initializer adds the rest (`Channel.setTunnelOptionsIfSupported`).
    func tunnelSocketOptions(mark: UInt32?, userTimeout: TimeAmount) -> ClientBootstrap {
        var bootstrap = self.channelOption(.recvAllocator, value: TunnelSocketOptions.recvAllocator)
        for setting in TunnelSocketOptions.tunnelOptions(userTimeout: userTimeout) where !setting.ifSupported {
            bootstrap = bootstrap.channelOption(setting.option, value: setting.value)
        }
        #if os(Linux)
        if let mark {
            bootstrap = bootstrap.channelOption(TunnelSocketOptions.mark, value: SocketOptionValue(Int32(bitPattern: mark)))
        }
        #endif
        return bootstrap
    }
}

extension ServerBootstrap {
    /// Options for an accepted tunnel connection (server side). The child channel
    /// initializer adds the rest (`Channel.setTunnelOptionsIfSupported`).
    func tunnelChildSocketOptions(userTimeout: TimeAmount) -> ServerBootstrap {
        var bootstrap = self.childChannelOption(.recvAllocator, value: TunnelSocketOptions.recvAllocator)
        for setting in TunnelSocketOptions.tunnelOptions(userTimeout: userTimeout) where !setting.ifSupported {
            bootstrap = bootstrap.childChannelOption(setting.option, value: setting.value)
        }
        return bootstrap
    }
}

extension Channel {
    /// The tunnel options that older kernels lack (`Setting.ifSupported`), from the channel
    /// initializer of a tunnel connection, either end: where the kernel answers ENOPROTOOPT
    /// the option is skipped without a word (it is no reason to refuse a connection); any
    /// other error is thrown.
    func setTunnelOptionsIfSupported(userTimeout: TimeAmount) throws {
        for setting in TunnelSocketOptions.tunnelOptions(userTimeout: userTimeout) where setting.ifSupported {
            do {
                try setOptionNow(setting.option, value: setting.value)
            } catch let error as IOError where error.errnoCode == ENOPROTOOPT {
                continue
            }
        }
    }
}

extension Channel {
    /// Options for a relayed local connection: no Nagle, half-close, reads driven by the
    /// glue. Set from the channel initializer, on the channel's loop, before it reads:
    /// synchronously, where the bootstraps' channel options would cost a future each on
    /// the path of every stream.
    func setRelayOptions() throws {
        try setOptionNow(.tcpOption(.tcp_nodelay), value: 1)
        try setOptionNow(.allowRemoteHalfClosure, value: true)
        try setOptionNow(.autoRead, value: false)
        try setOptionNow(.recvAllocator, value: TunnelSocketOptions.recvAllocator)
    }
}
