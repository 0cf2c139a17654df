import NIOCore
import NIOSSL

/// The connectors as the data path sees them: where each one's machine traffic goes, or why it
/// has nowhere to go. Built once per configuration; immutable and shared by every event loop.
package struct RouteTable: Sendable {
    /// One route of a connector: a path prefix within its family, who may use it, and where it goes.
    /// A class: the router hands the matched entry on per request, which costs one reference
    /// rather than a copy of each field.
    package final class Entry: Sendable {
        package let pathPrefix: String
        package let stripPrefix: Bool
        package let requiredPermission: String?
        package let target: UpstreamTarget
        /// How the canonical path's escapes are forwarded (`RouteSpec.pathEscapes`).
        package let pathEscapes: CanonicalPath.Escapes
        /// Caller paths where a WebSocket upgrade is passed (`websocket_paths`).
        package let websocketPaths: [String]

        package init(
            pathPrefix: String, stripPrefix: Bool, requiredPermission: String?, target: UpstreamTarget,
            pathEscapes: CanonicalPath.Escapes = .normalize, websocketPaths: [String] = []
        ) {
            self.pathPrefix = pathPrefix
            self.stripPrefix = stripPrefix
            self.requiredPermission = requiredPermission
            self.target = target
            self.pathEscapes = pathEscapes
            self.websocketPaths = websocketPaths
        }

        /// A WebSocket upgrade may go to this canonical path: one of `websocketPaths` is a
        /// whole-segment prefix of it, where a `*` segment stands for any one segment
        /// (`/toolbox/*/process/pty` for any sandbox).
        func allowsWebSocket(_ path: Substring) -> Bool {
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            return websocketPaths.contains { pattern in
                let wanted = pattern.split(separator: "/", omittingEmptySubsequences: true)
                let given = segments.dropFirst()  // the empty segment before the leading '/'
                guard given.count >= wanted.count else { return false }
                return zip(wanted, given).allSatisfy { want, have in
                    want == "*" ? !have.isEmpty : want.utf8.elementsEqual(have.utf8)
                }
            }
        }
    }

    /// A connector's routes, most specific prefix first.
    package struct ConnectorRoutes: Sendable {
        package let executor: [Entry]
        package let scim: [Entry]

        package func entries(_ family: RouteSpec.Family) -> [Entry] { family == .executor ? executor : scim }

        /// The connector's main upstream: the executor route without a path prefix (else the
        /// SCIM one) — what health probes go through.
        package var primary: UpstreamTarget? {
            (executor.first { $0.pathPrefix.isEmpty } ?? scim.first { $0.pathPrefix.isEmpty } ?? executor.first ?? scim.first)?.target
        }
    }

    package enum Route: Sendable {
        case upstream(ConnectorRoutes)
        /// The connector exists but carries no HTTP machine traffic; the reason is shown to callers.
        case none(String)
    }

    package private(set) var routes: [String: Route]
    package let connectorNames: [String]
    /// Each configured connector's metric label slot (requests for other names count as 0,
    /// `(unknown)`): looked up without the metrics' own lock.
    package private(set) var metricsIndexes: [String: Int] = [:]

    package init(routes: [String: Route], connectorNames: [String]) {
        self.routes = routes
        self.connectorNames = connectorNames
    }

    /// Builds every route; a TLS setting that cannot be turned into a context (unreadable or
    /// invalid CA file) is a configuration error, so the gateway never starts half-configured.
    package init(
        configuration: GatewayConfiguration, secrets: SecretStore, eventLoopCount: Int
    ) throws(ConfigError) {
        var routes: [String: Route] = [:]
        var diagnostics = Diagnostics()
        for connector in configuration.connectors {
            guard connector.isEnabled else {
                routes[connector.name] = .none(connector.disabledReason)
                continue
            }
            switch connector.machineRoute {
            case let .none(reason):
                routes[connector.name] = .none(reason)
            case .tcp:
                routes[connector.name] = .none(
                    "its machine traffic is a TCP stream on the connector's own listener, not HTTP through this route")
            case .http:
                do {
                    var executor: [Entry] = []
                    var scim: [Entry] = []
                    for spec in connector.kind.routes(for: connector) {
                        let target = try Self.target(
                            connector, spec: spec, configuration: configuration, secrets: secrets,
                            eventLoopCount: eventLoopCount)
                        let entry = Entry(
                            pathPrefix: spec.pathPrefix, stripPrefix: spec.stripPrefix,
                            requiredPermission: spec.requiredPermission, target: target, pathEscapes: spec.pathEscapes,
                            websocketPaths: connector.websocketPaths ?? spec.websocketPaths)
                        if spec.family == .executor { executor.append(entry) } else { scim.append(entry) }
                    }
                    let byPrefix: (Entry, Entry) -> Bool = { $0.pathPrefix.count > $1.pathPrefix.count }
                    routes[connector.name] = .upstream(
                        ConnectorRoutes(
                            executor: executor.sorted(by: byPrefix), scim: scim.sorted(by: byPrefix)))
                } catch let issue as HeaderValueIssue {
                    diagnostics.append(
                        ConfigIssue(
                            .invalidHeaderValue, at: connector.location, connector: connector.name, key: issue.key,
                            problem:
                                "The \(issue.what) the gateway would send upstream holds a CR, LF or NUL character, which would end the header early.",
                            fix:
                                "Remove line breaks from the value (a secret file's trailing newline is already dropped; check the OpenBao field or the env value)."
                        ))
                } catch let error as TLSMaterialError {
                    diagnostics.append(error.issue)
                } catch {
                    diagnostics.append(
                        ConfigIssue(
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
        _ connector: ConnectorConfig, spec: RouteSpec, configuration: GatewayConfiguration,
        secrets: SecretStore, eventLoopCount: Int
    ) throws -> UpstreamTarget {
        let url = spec.upstream
        var tlsContext: NIOSSLContext?
        var serverHostname: String?
        var clientIdentity = "client=-"
        if url.scheme == .https {
            let tls = try UpstreamTLS(
                connector: connector, configuration: configuration, secrets: secrets, applicationProtocols: ["http/1.1"])
            clientIdentity = "client=\(tls.clientSerial)"
            tlsContext = try tls.makeContext()
            // tls_server_name, else host_header's host when dialling an address, else the URL's host.
            serverHostname =
                connector.tlsName(
                    upstreamHost: url.host, hostHeader: spec.hostHeader,
                    isExecutor: spec.upstream.host == connector.executorURL?.host
                ).name
        }
        // The caller's credentials (token, Pomerium assertion) never reach an upstream.
        var removed: Set<String> = ["authorization", "proxy-authorization", PomeriumSettings.header]
        for credential in connector.kind.credentials { removed.insert(credential.header.lowercased()) }
        removed.formUnion(spec.strippedHeaders)
        var credential: (name: String, value: SecretValue)?
        var credentialIdentity = "none"
        if let key = spec.credentialKey, let declared = connector.kind.credentials.first(where: { $0.key == key }),
            let secret = secrets.credential(connector: connector.name, key: "auth.\(key)")
        {
            let header = spec.credentialHeader ?? declared.header
            let scheme: String? =
                switch spec.credentialScheme {
                case .declared: declared.scheme
                case .bare: nil
                case let .scheme(scheme): scheme
                }
            removed.insert(header.lowercased())
            let prefix = scheme.map { "\($0) " } ?? ""
            credential = (header, secret.withUnredactedValue { SecretValue(prefix + $0) })
            credentialIdentity = "\(key)@\(header.lowercased())#\(secret.withUnredactedValue { Self.fingerprint($0) })"
        }
        // Checked once here, so the data path writes these values without a validator per write.
        if let credential, credential.value.withUnredactedValue({ HeaderValueIssue.isUnsafe($0) }) {
            throw HeaderValueIssue(key: "auth.\(spec.credentialKey ?? "")", what: "credential")
        }
        if HeaderValueIssue.isUnsafe(spec.hostHeader ?? url.authority) {
            throw HeaderValueIssue(key: "host_header", what: "Host header")
        }
        let forwardedFor: UpstreamTarget.ForwardedFor =
            switch spec.forwardedFor {
            case .client: .client
            case let .fixed(address): .fixed(address)
            }
        let maxConnections = connector[ConnectorKey.maxConnections]
        return UpstreamTarget(
            // A pooled connection carries one credential to one upstream with one TLS setting:
            // routes differing in any of these never share a connection, so a desynchronised
            // connection can never mix principals or credentials.
            connector: connector.name,
            poolKey: "\(connector.name)|\(url.scheme.rawValue)://\(url.authority)|\(credentialIdentity)"
                + "|host=\(spec.hostHeader ?? url.authority)|tls=\(connector.verifyTLS),\(connector.caFile ?? "-"),\(serverHostname ?? "-"),\(clientIdentity)",
            host: url.host, port: url.port, basePath: url.path,
            hostHeader: spec.hostHeader ?? url.authority, tlsContext: tlsContext, serverHostname: serverHostname,
            credential: credential, removedRequestHeaders: removed, forwardedFor: forwardedFor,
            strippedQueryParameters: spec.strippedQueryParameters, rewrites: spec.rewrites,
            forwardedPrefix: spec.forwardedPrefix,
            connectTimeout: TimeAmount(seconds: connector[ConnectorKey.connectTimeout]),
            firstByteTimeout: TimeAmount(seconds: connector[ConnectorKey.firstByteTimeout]),
            idleTimeout: TimeAmount(seconds: spec.idleTimeout ?? connector[ConnectorKey.idleTimeout]),
            maxBodyBytes: spec.maxBodyBytes ?? connector[ConnectorKey.maxBodyBytes],
            maxConnectionsPerLoop: max(1, maxConnections / max(1, eventLoopCount)), runtimeAsset: connector.runtimeAsset,
            tunnelIdleTimeout: TimeAmount(seconds: connector[ConnectorKey.tunnelIdleTimeout]),
            presentsClientCertificate: clientIdentity != "client=-")
    }

    /// Gives each upstream its label slot in `metrics`.
    mutating func assignMetricsIndexes(_ metrics: GatewayMetrics) {
        for name in connectorNames { metricsIndexes[name] = metrics.index(of: name) }
        for (name, route) in routes {
            guard case let .upstream(connectorRoutes) = route else { continue }
            let index = metrics.index(of: name)
            let relabel: (Entry) -> Entry = { entry in
                Entry(
                    pathPrefix: entry.pathPrefix, stripPrefix: entry.stripPrefix,
                    requiredPermission: entry.requiredPermission, target: entry.target.withMetricsIndex(index),
                    pathEscapes: entry.pathEscapes, websocketPaths: entry.websocketPaths)
            }
            routes[name] = .upstream(
                ConnectorRoutes(
                    executor: connectorRoutes.executor.map(relabel), scim: connectorRoutes.scim.map(relabel)))
        }
    }

    /// A process-local digest of a credential value for pool keys: connections made with a
    /// value that a rotation replaced are never reused with the new one. Seeded per process;
    /// reveals nothing of the value.
    static func fingerprint(_ value: String) -> String {
        var hasher = Hasher()
        hasher.combine(value)
        return String(UInt(bitPattern: hasher.finalize()), radix: 16)
    }

    static func isIPAddress(_ host: String) -> Bool {
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }
}
