import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Reads `/health/connectors` from running gateways through the gateway's outbound client
/// (`OutboundHTTPClient`: no redirects followed), all replicas at once. A replica that cannot be
/// reached, answers an error status or something other than a report is `unreachable`, with
/// the reason; one still running its first round is `pending`.
package struct ReplicaFetcher: Sendable {
    package let client: HTTPClient
    package let timeout: TimeAmount

    static let maxBodyBytes = 16 << 20

    package init(client: HTTPClient, timeout: TimeAmount = .seconds(10)) {
        self.client = client
        self.timeout = timeout
    }

    /// `http://gw:8080` and `http://gw:8080/` -> `http://gw:8080/health/connectors`; a URL that
    /// already ends in `/health/connectors` is kept; a path prefix (`https://ops/gw-0`) is kept.
    /// Nil when `url` is not an http(s) URL with a host.
    package static func reportURL(for url: String) -> String? {
        guard let parsed = try? EndpointURL(parsing: url) else { return nil }
        if parsed.path.hasSuffix(HealthResponder.prefix) { return parsed.description }
        return parsed.description + HealthResponder.prefix
    }

    package func fetch(_ urls: [String]) async -> [ReplicaHealth] {
        await withTaskGroup(of: (Int, ReplicaHealth).self) { group in
            for (index, url) in urls.enumerated() {
                group.addTask { (index, await fetch(url)) }
            }
            var results = [ReplicaHealth?](repeating: nil, count: urls.count)
            for await (index, replica) in group { results[index] = replica }
            return results.compactMap { $0 }
        }
    }

    package func fetch(_ url: String) async -> ReplicaHealth {
        guard let reportURL = Self.reportURL(for: url) else {
            return ReplicaHealth(url: url, reportURL: url, outcome: .unreachable("not an http:// or https:// URL with a host"))
        }
        var request = HTTPClientRequest(url: reportURL)
        request.method = .GET
        request.headers.add(name: "accept", value: "application/json")
        let status: Int
        let contentType: String
        let body: [UInt8]
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            contentType = response.headers.first(name: "content-type") ?? ""
            body = Array(buffer: try await response.body.collect(upTo: Self.maxBodyBytes))
        } catch {
            return ReplicaHealth(url: url, reportURL: reportURL, outcome: .unreachable(Self.describe(error, url: reportURL)))
        }
        if status == 503, let pending = try? JSONDecoder().decode(Pending.self, from: Data(body)), pending.status == "pending" {
            return ReplicaHealth(
                url: url, reportURL: reportURL,
                outcome: .pending("up, but \(pending.detail ?? "its first round of checks has not finished"); ask again in a moment"))
        }
        guard status == 200 else {
            return ReplicaHealth(
                url: url, reportURL: reportURL,
                outcome: .unreachable(
                    "\(reportURL) answered HTTP \(status), not the health report: check the URL points at a gateway's listener"))
        }
        do {
            return ReplicaHealth(url: url, reportURL: reportURL, outcome: .report(try RemoteHealthReport(parsing: body)))
        } catch {
            let type = contentType.isEmpty ? "" : " (\(contentType))"
            return ReplicaHealth(
                url: url, reportURL: reportURL,
                outcome: .unreachable(
                    "\(reportURL) answered HTTP 200\(type), but \(error.description): check the URL points at a gateway's listener"))
        }
    }

    struct Pending: Decodable {
        var status: String
        var detail: String?
    }

    /// Connection-level failures in a sentence (no request content in them).
    static func describe(_ error: any Error, url: String) -> String {
        switch NetworkFailure(error) {
        case .timeout, .connectTimeout: return "\(url) did not answer in time"
        case .closed: return "\(url) closed the connection before answering"
        case let .other(why) where error is IOError: return "\(url) could not be reached: \(why)"
        default: return "\(url) could not be reached: \(error)"
        }
    }
}
