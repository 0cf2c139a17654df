import Foundation

extension HealthStore {
    /// The health metric families, in Prometheus text format, appended to `/metrics`.
    public func renderMetrics() -> String {
        let (latest, checks) = state.withLock { ($0.latest, $0.checks) }
        var out = ""
        out += "# HELP gateway_connector_health Current health state of each connector: 1 for its state, 0 for the others.\n"
        out += "# TYPE gateway_connector_health gauge\n"
        for name in connectors {
            guard let result = latest[name] else { continue }
            for state in HealthState.allCases {
                out += "gateway_connector_health{connector=\"\(GatewayMetrics.escape(name))\",state=\"\(state.rawValue)\"} \(result.state == state ? 1 : 0)\n"
            }
        }
        out += "# HELP gateway_connector_health_checks_total Health checks run, by connector and the state they found.\n"
        out += "# TYPE gateway_connector_health_checks_total counter\n"
        for name in connectors {
            guard let counts = checks[name] else { continue }
            for state in HealthState.allCases {
                out += "gateway_connector_health_checks_total{connector=\"\(GatewayMetrics.escape(name))\",state=\"\(state.rawValue)\"} \(counts[state] ?? 0)\n"
            }
        }
        out += "# HELP gateway_connector_health_last_check_timestamp_seconds When each connector was last checked (Unix time).\n"
        out += "# TYPE gateway_connector_health_last_check_timestamp_seconds gauge\n"
        for name in connectors {
            guard let result = latest[name] else { continue }
            out += "gateway_connector_health_last_check_timestamp_seconds{connector=\"\(GatewayMetrics.escape(name))\"} \(String(format: "%.3f", result.checkedAt.timeIntervalSince1970))\n"
        }
        out += "# HELP gateway_connector_health_check_duration_seconds How long each connector's last check took.\n"
        out += "# TYPE gateway_connector_health_check_duration_seconds gauge\n"
        for name in connectors {
            guard let result = latest[name] else { continue }
            out += "gateway_connector_health_check_duration_seconds{connector=\"\(GatewayMetrics.escape(name))\"} \(String(format: "%.6f", result.seconds))\n"
        }
        out += "# HELP gateway_connector_certificate_expiry_timestamp_seconds When the executor's TLS certificate expires (Unix time).\n"
        out += "# TYPE gateway_connector_certificate_expiry_timestamp_seconds gauge\n"
        for name in connectors {
            guard let expiry = latest[name]?.tls?.notValidAfter else { continue }
            out += "gateway_connector_certificate_expiry_timestamp_seconds{connector=\"\(GatewayMetrics.escape(name))\"} \(Int(expiry.timeIntervalSince1970))\n"
        }
        return out
    }
}
