import NIOCore

/// The addresses a configuration asks the gateway to listen on: the HTTP listener
/// (`gateway.listen`, or the `--listen` override) and one TCP listener per enabled connector
/// whose kind carries TCP traffic (Temporal), keyed by connector name.
///
/// With TLS on, `https` is `gateway.listen_tls` and the plain listener serves what
/// `gateway.plain_http` says (`probes` by default; `off`: no plain listener).
struct ListenerPlan: Equatable {
    var http: HostPort?
    var httpProbesOnly: Bool
    var https: HostPort?
    var tcp: [String: TCPListener.Settings]

    init(configuration: GatewayConfiguration, httpOverride: HostPort?) {
        let plain = configuration.gateway.plainHTTP
        http = plain == .off ? nil : httpOverride ?? configuration.gateway.listen
        httpProbesOnly = plain == .probes
        https = configuration.gateway.listenTLS
        tcp = [:]
        for connector in configuration.connectors {
            guard connector.isEnabled, let route = connector.kind.tcpRoute(for: connector) else { continue }
            tcp[connector.name] = TCPListener.Settings(
                connector: connector.name, listen: route.listen, upstream: route.upstream, maxConnections: route.maxConnections,
                idleTimeout: TimeAmount(seconds: route.idleTimeout), connectTimeout: TimeAmount(seconds: route.connectTimeout))
        }
    }
}
