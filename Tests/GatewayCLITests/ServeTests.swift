import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("gateway serve")
struct ServeTests {
    /// A running `gateway serve` on a free port.
    final class RunningGateway: @unchecked Sendable {
        let process = Process()
        let address: String

        init(_ arguments: [String], environment: [String: String] = [:]) async throws {
            process.executableURL = GatewayProcess.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
            process.currentDirectoryURL = GatewayProcess.packageRoot
            // The bundled inventory's Temporal listener has a fixed port: let the system pick one.
            process.environment = GatewayProcess.environment(["FRACTALOPS_TEMPORAL_LISTEN": "127.0.0.1:0"].merging(environment) { $1 })
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            let lines = AsyncStream<String> { continuation in
                out.fileHandleForReading.readabilityHandler = { handle in
                    let data = handle.availableData
                    if data.isEmpty {
                        continuation.finish()
                        handle.readabilityHandler = nil
                        return
                    }
                    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") { continuation.yield(String(line)) }
                }
            }
            try process.run()
            var found: String?
            for await line in lines {
                if let range = line.range(of: "listening on ") {
                    found = String(line[range.upperBound...])
                    break
                }
            }
            guard let found else { throw CancellationError() }
            address = found
        }

        func get(_ path: String, headers: [String: String] = [:]) async throws -> (Int, String, [AnyHashable: Any]) {
            var request = URLRequest(url: URL(string: "http://\(address)\(path)")!)
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let (data, response) = try await URLSession.shared.data(for: request)
            let http = response as! HTTPURLResponse
            return (http.statusCode, String(decoding: data, as: UTF8.self), http.allHeaderFields)
        }

        deinit {
            // A test that failed half-way must not leave a gateway running.
            if process.isRunning { process.interrupt() }
        }

        func terminate() -> Int32 {
            process.terminate()  // SIGTERM
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test func servesControlRoutesAndStopsOnSIGTERM() async throws {
        let gateway = try await RunningGateway(["--env-file", "examples/demo.env"])
        let (live, _, _) = try await gateway.get("/livez")
        #expect(live == 200)
        let (ready, readyBody, _) = try await gateway.get("/readyz")
        #expect(ready == 200)
        #expect(readyBody.contains("\"connectors\":6"))

        let token = ["Authorization": "Bearer demo-operator-token-not-a-secret"]
        let (anonymous, _, anonymousHeaders) = try await gateway.get("/executor/langboard/api")
        #expect(anonymous == 401)
        let challenge = anonymousHeaders.first { ($0.key as? String)?.lowercased() == "www-authenticate" }?.value as? String
        #expect(challenge?.hasPrefix("Bearer") == true)
        let (unknown, unknownBody, unknownHeaders) = try await gateway.get(
            "/executor/langbord/api", headers: token.merging(["X-Request-ID": "req-123"]) { $1 })
        #expect(unknown == 404)
        #expect(unknownBody.contains("Did you mean 'langboard'?"))
        #expect(unknownBody.contains("\"request_id\":\"req-123\""))
        #expect((unknownHeaders["Content-Type"] as? String) == "application/problem+json")

        let (route, routeBody, _) = try await gateway.get("/executor/temporal/x", headers: token)
        #expect(route == 404)
        #expect(routeBody.contains("no-machine-route"))
        #expect(routeBody.contains("TCP stream"))

        let (refused, refusedBody, _) = try await gateway.get("/executor/daytona/api/health", headers: token)
        #expect(refused == 502, "nothing listens on the bundled Daytona executor port")
        #expect(refusedBody.contains("urn:fractalops:gateway:refused"))

        let (metrics, metricsBody, _) = try await gateway.get("/metrics")
        #expect(metrics == 200)
        #expect(metricsBody.contains(#"gateway_errors_total{connector="daytona",kind="refused"} 1"#))
        #expect(gateway.terminate() == 0)
    }

    @Test func refusesToStartWithUnresolvableSecrets() async throws {
        let result = try await GatewayProcess.run(["serve", "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not starting"))
        #expect(result.stderr.contains("[secret.unresolved]"))
    }

    @Test func refusesToStartOnAnAddressInUseNamingIt() async throws {
        // The first gateway holds a port; a second one asked for the same port does not start.
        let first = try await RunningGateway(["--env-file", "examples/demo.env"])
        let result = try await GatewayProcess.run(
            ["serve", "--env-file", "examples/demo.env", "--listen", first.address],
            environment: ["FRACTALOPS_TEMPORAL_LISTEN": "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("gateway: not starting: gateway.listen: cannot listen on \(first.address): Address already in use"),
            "\(result.stderr)")
        #expect(!result.stderr.contains("connector health changed"), "no checks before the listeners are up")
        #expect(result.stdout.isEmpty)
        #expect(first.terminate() == 0)
    }
}
