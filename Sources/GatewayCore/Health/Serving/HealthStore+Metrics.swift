import Foundation
import Synchronization

extension HealthStore {
    /// The health metric families, in Prometheus text format, appended to `/metrics`.
    func renderMetrics() -> String {
        let (connectors, latest, checks) = state.withLock { ($0.connectors, $0.latest, $0.checks) }
        var out = PrometheusText()
        out.family(
            "gateway_connector_health", .gauge,
            help: "Current health state of each connector: 1 for its state, 0 for the others.")
        for name in connectors {
            guard let result = latest[name] else { continue }
            for state in HealthState.allCases {
                out.sample(
                    "gateway_connector_health", [("connector", name), ("state", state.rawValue)],
                    result.state == state ? 1 : 0)
            }
        }
        out.family(
            "gateway_connector_health_checks_total", .counter,
            help: "Health checks run, by connector and the state they found.")
        for name in connectors {
            guard let counts = checks[name] else { continue }
            for state in HealthState.allCases {
                out.sample(
                    "gateway_connector_health_checks_total", [("connector", name), ("state", state.rawValue)],
                    counts[state] ?? 0)
            }
        }
        out.family(
            "gateway_connector_health_last_check_timestamp_seconds", .gauge,
            help: "When each connector was last checked (Unix time).")
        for name in connectors {
            guard let result = latest[name] else { continue }
            out.sample(
                "gateway_connector_health_last_check_timestamp_seconds", [("connector", name)],
                String(format: "%.3f", result.checkedAt.timeIntervalSince1970))
        }
        out.family(
            "gateway_connector_health_check_duration_seconds", .gauge,
            help: "How long each connector's last check took.")
        for name in connectors {
            guard let result = latest[name] else { continue }
            out.sample(
                "gateway_connector_health_check_duration_seconds", [("connector", name)],
                String(format: "%.6f", result.seconds))
        }
        out.family(
            "gateway_connector_certificate_expiry_timestamp_seconds", .gauge,
            help: "When the executor's TLS certificate expires (Unix time).")
        for name in connectors {
            guard let expiry = latest[name]?.tls?.notValidAfter else { continue }
            out.sample(
                "gateway_connector_certificate_expiry_timestamp_seconds", [("connector", name)],
                Int(expiry.timeIntervalSince1970))
        }
        return out.text
    }
}
