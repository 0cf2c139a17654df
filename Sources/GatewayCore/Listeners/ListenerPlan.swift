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
            guard connector.isEnabled, let listenKey = connector.kind.tcpListenKey,
                  let listen = connector.settings[listenKey]?.value.addressValue,
                  case let .tcp(upstream) = connector.machineRoute else { continue }
            tcp[connector.name] = TCPListener.Settings(
                connector: connector.name, listen: listen, upstream: upstream.value,
                maxConnections: connector.integer("max_connections") ?? 1024,
                idleTimeout: TimeAmount(seconds: connector.duration("idle_timeout") ?? 300),
                connectTimeout: TimeAmount(seconds: connector.duration("connect_timeout") ?? 5))
        }
    }
}
