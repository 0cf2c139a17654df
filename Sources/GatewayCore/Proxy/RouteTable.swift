import NIOCore
import NIOSSL

/// The connectors as the data path sees them: where each one's machine traffic goes, or why it
/// has nowhere to go. Built once per configuration; immutable and shared by every event loop.
public struct RouteTable: Sendable {
    public enum Route: Sendable {
        case upstream(UpstreamTarget)
        /// The connector exists but carries no HTTP machine traffic; the reason is shown to callers.
        case none(String)
    }

    public private(set) var routes: [String: Route]
    public let connectorNames: [String]

    public init(routes: [String: Route], connectorNames: [String]) {
        self.routes = routes
        self.connectorNames = connectorNames
    }

    /// Builds every route; a TLS setting that cannot be turned into a context (unreadable or
    /// invalid CA file) is a configuration error, so the gateway never starts half-configured.
    public init(
        configuration: GatewayConfiguration, secrets: SecretStore, eventLoopCount: Int
    ) throws(ConfigError) {
        var routes: [String: Route] = [:]
        var diagnostics = Diagnostics()
        for connector in configuration.connectors {
            guard connector.isEnabled else {
                routes[connector.name] = .none("the connector is disabled (enabled: false)")
                continue
            }
            switch connector.machineRoute {
            case let .none(reason):
                routes[connector.name] = .none(reason)
            case .tcp:
                routes[connector.name] = .none(
                    "its machine traffic is a TCP stream on the connector's own listener, not HTTP through this route")
            case let .http(url):
                do {
                    routes[connector.name] = .upstream(try Self.target(
                        connector, url: url.value, configuration: configuration, secrets: secrets,
                        eventLoopCount: eventLoopCount))
                } catch {
                    diagnostics.append(ConfigIssue(
                        .caFileUnreadable, at: connector.settings["ca_file"]?.source.description ?? connector.location,
                        connector: connector.name, key: "ca_file",
                        problem: "The TLS settings cannot be loaded: \(error).",
                        fix: "Point ca_file at a PEM file holding the CA certificate(s) that issued the executor's certificate."))
                }
            }
        }
        try diagnostics.check()
        self.init(routes: routes, connectorNames: configuration.connectorNames)
    }

    static func target(
        _ connector: ConnectorConfig, url: EndpointURL, configuration: GatewayConfiguration, secrets: SecretStore,
        eventLoopCount: Int
    ) throws -> UpstreamTarget {
        var tlsContext: NIOSSLContext?
        var serverHostname: String?
        if url.scheme == .https {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = connector.verifyTLS ? .fullVerification : .none
            if let caFile = connector.caFile {
                tls.trustRoots = .file(configuration.absolutePath(caFile))
            }
            tls.applicationProtocols = ["http/1.1"]
            tlsContext = try NIOSSLContext(configuration: tls)
            serverHostname = connector.tlsServerName ?? (Self.isIPAddress(url.host) ? nil : url.host)
        }
        var credential: (name: String, value: SecretValue)?
        var removed: Set<String> = ["authorization", "proxy-authorization"]
        for (spec, _) in connector.credentials {
            removed.insert(spec.header.lowercased())
        }
        let injected = connector.kind.credentials.first
        if let injected, let secret = secrets.credential(connector: connector.name, key: "auth.\(injected.key)") {
            let header = connector.string("credential_header") ?? injected.header
            let scheme = connector.string("credential_scheme").map { $0 == "none" ? nil : $0 } ?? injected.scheme
            removed.insert(header.lowercased())
            let prefix = scheme.map { "\($0) " } ?? ""
            credential = (header, secret.withUnredactedValue { SecretValue(prefix + $0) })
        }
        for spec in connector.kind.credentials { removed.insert(spec.header.lowercased()) }
        let forwardedFor: UpstreamTarget.ForwardedFor =
            connector.string("forwarded_for") == "egress" ? .fixed(connector.string("egress_address") ?? "") : .client
        let maxConnections = connector.integer("limits.max_connections") ?? 256
        return UpstreamTarget(
            connector: connector.name, host: url.host, port: url.port, basePath: url.path,
            hostHeader: connector.hostHeader ?? url.authority, tlsContext: tlsContext, serverHostname: serverHostname,
            credential: credential, removedRequestHeaders: removed, forwardedFor: forwardedFor,
            connectTimeout: TimeAmount(seconds: connector.duration("limits.connect_timeout") ?? 5),
            firstByteTimeout: TimeAmount(seconds: connector.duration("limits.first_byte_timeout") ?? 60),
            idleTimeout: TimeAmount(seconds: connector.duration("limits.idle_timeout") ?? 60),
            maxBodyBytes: connector.integer("limits.max_body_bytes") ?? (1 << 30),
            maxConnectionsPerLoop: max(1, maxConnections / max(1, eventLoopCount)))
    }

    /// Gives each upstream its label slot in `metrics`.
    mutating func assignMetricsIndexes(_ metrics: GatewayMetrics) {
        for (name, route) in routes {
            if case let .upstream(target) = route {
                routes[name] = .upstream(target.withMetricsIndex(metrics.index(of: name)))
            }
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
