import NIOCore
import Synchronization

/// A count of open channels: up when one is accepted, down when it closes. What a drain
/// waits for once the listeners are closed.
final class OpenConnections: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func track(_ channel: Channel) {
        value.add(1, ordering: .relaxed)
        channel.closeFuture.whenComplete { _ in self.value.subtract(1, ordering: .relaxed) }
    }
}
