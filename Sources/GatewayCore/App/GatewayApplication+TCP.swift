import Logging
import NIOCore

extension GatewayApplication {
    /// One TCP pass-through listener per enabled connector whose kind carries TCP traffic
    /// (Temporal), from its listen and executor addresses.
    static func tcpServices(
        configuration: GatewayConfiguration, group: any EventLoopGroup, logger: Logger
    ) -> [TCPPassthroughService] {
        configuration.connectors.compactMap { connector in
            guard connector.isEnabled, let listenKey = connector.kind.tcpListenKey,
                  let listen = connector.settings[listenKey]?.value.addressValue,
                  case let .tcp(upstream) = connector.machineRoute else { return nil }
            let settings = TCPPassthroughService.Settings(
                connector: connector.name, listen: listen, upstream: upstream.value,
                maxConnections: connector.integer("max_connections") ?? 1024,
                idleTimeout: TimeAmount(seconds: connector.duration("idle_timeout") ?? 300),
                connectTimeout: TimeAmount(seconds: connector.duration("connect_timeout") ?? 5),
                drainTimeout: TimeAmount(seconds: configuration.gateway.drainTimeout))
            var tcpLogger = logger
            tcpLogger[metadataKey: "gateway.connector"] = "\(connector.name)"
            return TCPPassthroughService(settings: settings, group: group, logger: tcpLogger)
        }
    }
}
