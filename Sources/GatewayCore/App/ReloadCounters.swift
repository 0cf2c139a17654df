import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// `gateway_config_reloads_total` as read from a running gateway's /metrics.
package struct ReloadCounters: Equatable, Sendable {
    package var applied = 0
    package var refused = 0

    package init(applied: Int = 0, refused: Int = 0) {
        self.applied = applied
        self.refused = refused
    }

    package init(metrics text: Substring) {
        for line in text.split(separator: "\n") where line.hasPrefix("gateway_config_reloads_total{") {
            guard let value = line.split(separator: " ").last.flatMap({ Int($0) }) else { continue }
            if line.contains("result=\"applied\"") { applied = value }
            if line.contains("result=\"refused\"") { refused = value }
        }
    }

    /// GETs `url` (a gateway's /metrics) and reads the counters from it.
    package static func read(from url: String, client: HTTPClient) async throws -> ReloadCounters {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        let response = try await client.execute(request, timeout: .seconds(5))
        guard response.status == .ok else { throw HTTPStatusError(status: Int(response.status.code)) }
        let body = try await response.body.collect(upTo: 4 << 20)
        return ReloadCounters(metrics: Substring(String(buffer: body)))
    }

    struct HTTPStatusError: Error, CustomStringConvertible {
        var status: Int
        var description: String { "HTTP \(status)" }
    }
}
