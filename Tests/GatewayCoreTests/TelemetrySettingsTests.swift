import Testing

@testable import GatewayCore

/// `gateway.telemetry`: off without an endpoint, the OpenTelemetry variables as fallbacks, and
/// bad values refused with the file, line, key and fix.
@Suite("Telemetry settings")
struct TelemetrySettingsTests {
    static let connector = """
        connector_inventory:
          - {name: echo, executor_url: "http://127.0.0.1:9000"}
        """

    @Test func tracingIsOffWithoutAnEndpoint() throws {
        #expect(try echoConfiguration(Self.connector).gateway.telemetry == nil)
    }

    @Test func theInventoryOrTheOpenTelemetryVariablesTurnItOn() throws {
        let written = try echoConfiguration(
            """
            gateway:
              telemetry: {otlp_endpoint: "http://collector:4318/", sampler: traceidratio, sampler_arg: 0.25, schedule_delay: 200ms}
            """ + "\n" + Self.connector)
        let telemetry = try #require(written.gateway.telemetry)
        #expect(telemetry.tracesURL == "http://collector:4318/v1/traces")
        #expect(telemetry.sampler == .traceIDRatio && telemetry.ratio == 0.25 && telemetry.scheduleDelay == 0.2)
        #expect(telemetry.serviceName == "fractalops-gateway" && telemetry.maxQueueSize == 2048)

        let fromEnv = try echoConfiguration(
            Self.connector,
            env: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318", "OTEL_SERVICE_NAME": "gw-7",
                "OTEL_TRACES_SAMPLER": "parentbased_always_off",
            ])
        let env = try #require(fromEnv.gateway.telemetry)
        #expect(env.tracesURL == "http://otel:4318/v1/traces" && env.serviceName == "gw-7" && env.sampler == .parentBasedAlwaysOff)
    }

    @Test(arguments: [
        ("sampler_arg: 1.5", "telemetry.sampler_arg", "a number from 0 to 1"),
        ("sampler: sometimes", "telemetry.sampler", "parentbased_traceidratio"),
        ("otlp_endpoint: collector:4318", "telemetry.otlp_endpoint", "absolute http:// or https:// URL"),
    ])
    func badValuesAreRefusedWithWhereAndHow(line: String, key: String, fix: String) throws {
        let error = #expect(throws: ConfigError.self) {
            try echoConfiguration("gateway:\n  telemetry: {\(line)}\n" + Self.connector)
        }
        let issue = try #require(error?.issues.first { $0.key == "gateway." + key || $0.key == key })
        #expect(issue.location?.hasPrefix("echo.yaml:2") == true)
        #expect(issue.description.contains(fix))
    }
}
