import NIOCore
import NIOPosix

/// One upstream pool per event loop. Each pool is only ever touched on its own loop; the
/// directory itself is immutable after creation.
final class PoolDirectory: @unchecked Sendable {
    private let pools: [ObjectIdentifier: UpstreamPool]
    private let loops: [any EventLoop]

    init(group: MultiThreadedEventLoopGroup, metrics: GatewayMetrics) {
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = UpstreamPool(eventLoop: loop, metrics: metrics)
            loops.append(loop)
        }
        self.pools = pools
        self.loops = loops
    }

    func pool(for loop: any EventLoop) -> UpstreamPool {
        pools[ObjectIdentifier(loop)]!
    }

    func closeIdle() async {
        for loop in loops {
            try? await loop.submit { [self] in self.pool(for: loop).closeIdle() }.get()
        }
    }
}
