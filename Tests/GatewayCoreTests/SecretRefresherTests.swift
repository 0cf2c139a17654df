import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import GatewayCore

/// Keeps every log message with its metadata, to check what is logged (and that no value is).
final class CapturedLog: Sendable {
    let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    func count(_ message: String) -> Int { lines.withLock { $0.filter { $0.contains(message) }.count } }
    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            log.lines.withLock { $0.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key })") }
        }
    }
}

@Suite("SecretRefresher")
struct SecretRefresherTests {
    static let inventory = """
        gateway:
          openbao: {address: "http://127.0.0.1:8200"}
          principals:
            - {name: worker, token: "openbao://secret/app#worker", connectors: ["*"]}
        connector_inventory:
          - name: echo
            executor_url: http://127.0.0.1:9000
            auth: {token: "openbao://secret/app#token"}
        """

    /// A serving context over `inventory` whose secrets come from a fake OpenBao holding
    /// KNOWN-t1/KNOWN-w1, and a refresher for it.
    static func serving() async throws -> (
        fake: FakeOpenBao, secrets: SecretStore, metrics: GatewayMetrics, log: CapturedLog,
        holder: ProxyContextHolder, refresher: SecretRefresher
    ) {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"KNOWN-t1","worker":"KNOWN-w1"}"#)
        let configuration = try echoConfiguration(inventory, env: ["FRACTALOPS_OPENBAO_TOKEN": "root"])
        let resolver = fakeResolver(fake, configuration)
        let secrets = try await SecretStore.resolve(configuration, using: resolver.session())
        let metrics = GatewayMetrics(connectors: configuration.connectorNames)
        let log = CapturedLog()
        let holder = ProxyContextHolder(
            try ProxyContext.make(
                configuration: configuration, secrets: secrets, metrics: metrics, logger: log.logger))
        let refresher = SecretRefresher(holder: holder, resolver: resolver, secrets: secrets, interval: .seconds(1), logger: log.logger)
        return (fake, secrets, metrics, log, holder, refresher)
    }

    @Test("a changed value swaps in a new context; a failed refresh keeps the last good one, logged once")
    func rotation() async throws {
        let (fake, secrets, metrics, log, holder, refresher) = try await Self.serving()

        var state = await refresher.refresh(.init(secrets: secrets))
        #expect(holder.generation == 0, "nothing changed: the context stays")

        fake.put("app", #"{"token":"KNOWN-t2","worker":"KNOWN-w2"}"#)
        state = await refresher.refresh(state)
        #expect(holder.generation == 1)
        #expect(holder.context.principals.authenticate("KNOWN-w2")?.name == "worker")
        #expect(holder.context.principals.authenticate("KNOWN-w1") == nil)
        #expect(holder.context.metrics === metrics, "metrics carry over")
        #expect(metrics.render().contains("gateway_secret_rotations_total 1\n"))
        #expect(log.count("secrets rotated") == 1)

        fake.deleteLatest("app")
        state = await refresher.refresh(state)
        state = await refresher.refresh(state)
        #expect(holder.generation == 1, "a failed refresh swaps nothing in")
        #expect(holder.context.principals.authenticate("KNOWN-w2")?.name == "worker", "the last good value stays")
        #expect(state.failing.count == 2)
        #expect(metrics.render().contains("gateway_secret_refresh_failures_total 4\n"), "two references, two rounds")
        #expect(log.count("secret refresh failed") == 2, "once per reference, not once per round")
        #expect(log.text.contains("openbao://secret/app#token"))

        fake.put("app", #"{"token":"KNOWN-t3","worker":"KNOWN-w3"}"#)
        state = await refresher.refresh(state)
        #expect(holder.generation == 2)
        #expect(state.failing.isEmpty)
        #expect(log.count("resolves again") == 2)
        #expect(!log.text.contains("KNOWN-"), "no value in any log line:\n\(log.text)")
        #expect(!metrics.render().contains("KNOWN-"))
    }

    @Test("after a reload the refresher compares with the reloaded secrets and never swaps an older context back")
    func reloadInBetween() async throws {
        let (fake, started, metrics, log, holder, refresher) = try await Self.serving()
        let configuration = holder.context.configuration
        let resolver = refresher.resolver

        // A reload resolved new values itself and swapped its context in.
        fake.put("app", #"{"token":"KNOWN-t2","worker":"KNOWN-w2"}"#)
        let reloaded = try await SecretStore.resolve(configuration, using: resolver.session())
        holder.replace(
            with: try ProxyContext.make(
                configuration: configuration, secrets: reloaded, metrics: metrics, logger: log.logger))
        _ = await refresher.refresh(.init(secrets: started))
        #expect(holder.generation == 1, "the values match the serving context: nothing to rotate")
        #expect(log.count("secrets rotated") == 0)

        // A context built from generation 1 is not installed over a newer one.
        let stale = holder.generation
        holder.replace(with: holder.context)
        #expect(!holder.replace(with: holder.context, ifStill: stale))
        #expect(holder.replace(with: holder.context, ifStill: holder.generation))
        #expect(holder.generation == 3)
    }

    @Test("the refresher runs when openbao:// or file:// references are in use and the interval is not 0")
    func services() async throws {
        let fake = FakeOpenBao()
        fake.put("app", #"{"token":"t","worker":"w"}"#)
        for (yaml, expected) in [
            (Self.inventory, ["OpenBaoTokenRenewer", "SecretRefresher"]),
            (Self.inventory.replacingOccurrences(of: "8200\"}", with: "8200\", refresh_interval: 0}"), ["OpenBaoTokenRenewer"]),
        ] {
            let configuration = try echoConfiguration(yaml, env: ["FRACTALOPS_OPENBAO_TOKEN": "root"])
            let application = try await GatewayApplication.build(
                configuration: configuration, logger: Logger(label: "test"), resolver: fakeResolver(fake, configuration))
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let names = application.services(on: group).others.map { String(describing: type(of: $0)) }
            for name in expected { #expect(names.contains(name), "\(names)") }
            if !expected.contains("SecretRefresher") { #expect(!names.contains("SecretRefresher")) }
            try await group.shutdownGracefully()
        }
    }
}
