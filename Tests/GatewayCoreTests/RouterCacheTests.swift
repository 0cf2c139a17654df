import Testing

@testable import GatewayCore

@Suite("router cache")
struct RouterCacheTests {
    @Test func aLoopsConnectionsShareOneRouterPerListenerKindUntilTheContextIsReplaced() throws {
        let first = try EmbeddedProxy().holder.context
        let replacement = try EmbeddedProxy().holder.context
        let cache = RouterCache()
        let plain = cache.router(for: .init(), context: first)
        #expect(cache.router(for: .init(), context: first) === plain, "the same kind and context: the same router")
        let tls = cache.router(for: .init(tls: true), context: first)
        #expect(tls !== plain && tls.callerScheme == "https" && plain.callerScheme == "http")
        let probes = cache.router(for: .init(probesOnly: true), context: first)
        #expect(probes.probesOnly && !plain.probesOnly && probes !== plain)
        let renewed = cache.router(for: .init(), context: replacement)
        #expect(renewed !== plain && renewed.routes.connectorNames == plain.routes.connectorNames)
        #expect(cache.router(for: .init(tls: true), context: replacement) !== tls, "a replaced context renews every kind")
    }
}
