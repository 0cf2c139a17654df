/// The name a connection to an upstream sends in SNI and verifies the certificate against, and
/// why (shown by `explain` and in health details).
package struct TLSServerName: Sendable, Equatable {
    /// Nil: the upstream is dialled by address and nothing names it, so the certificate must
    /// carry that address.
    package var name: String?
    package var reason: String
}

extension ConnectorConfig {
    /// The seed's three-variable contract: an executor reached by address (`executor_url`
    /// `https://10.20.0.15:1002`) with `host_header: langboard.internal` is verified as
    /// `langboard.internal`, unless `tls_server_name` names another. `upstreamHost` is the host
    /// being dialled; `hostHeader` the Host override the route sends (nil when it sends none).
    /// `tls_server_name` belongs to the executor only: another upstream of the connector (a
    /// toolbox proxy) is verified against its own host.
    package func tlsName(upstreamHost: String, hostHeader: String?, isExecutor: Bool = true) -> TLSServerName {
        if isExecutor, let configured = settings["tls_server_name"], let name = configured.value.stringValue {
            return TLSServerName(name: name, reason: "tls_server_name (\(configured.source))")
        }
        guard RouteTable.isIPAddress(upstreamHost) else {
            return TLSServerName(name: upstreamHost, reason: "the host of the URL dialled")
        }
        if let hostHeader, let host = Self.hostWithoutPort(hostHeader), !RouteTable.isIPAddress(host) {
            let source = settings["host_header"].map { " (\($0.source))" } ?? ""
            return TLSServerName(
                name: host,
                reason: "host_header\(source): the URL dialled names the address \(upstreamHost) and tls_server_name is not set")
        }
        return TLSServerName(
            name: nil,
            reason:
                "the URL dialled names the address \(upstreamHost) and neither tls_server_name nor host_header is set: the certificate must carry that address"
        )
    }

    /// The executor's TLS name for `explain`, or nil when the executor is not reached over TLS.
    package var executorTLSServerName: TLSServerName? {
        switch machineRoute {
        case let .http(url):
            guard url.value.scheme == .https else { return nil }
            return tlsName(upstreamHost: url.value.host, hostHeader: hostHeader)
        case let .tcp(address):
            guard kind.tcpRoute(for: self)?.upstreamTLS == true else { return nil }
            return tlsName(upstreamHost: address.value.host, hostHeader: hostHeader)
        case .none:
            return nil
        }
    }

    /// `langboard.internal:8443` -> `langboard.internal`; `[::1]:443` -> `::1`.
    static func hostWithoutPort(_ authority: String) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty, parts.count <= 2 else { return nil }
        return String(first)
    }
}
