import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Fetches the Pomerium JWKS at start, every `refresh_interval`, and soon after a request met an
/// unknown `kid` (at most once per `minimumSpacing`, seen within `poll`), off the data path. A failed fetch keeps the
/// cached keys (trusted up to `max_stale` after the last good fetch), is logged once per
/// distinct reason and counted.
struct PomeriumKeyRefresher: Service {
    let holder: ProxyContextHolder
    let keys: PomeriumKeySet
    let httpClient: HTTPClient
    let logger: Logger
    var minimumSpacing: Duration = .seconds(5)
    var poll: Duration = .milliseconds(250)

    init(holder: ProxyContextHolder, keys: PomeriumKeySet, httpClient: HTTPClient, logger: Logger) {
        self.holder = holder
        self.keys = keys
        self.httpClient = httpClient
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastError: String?
            while !Task.isCancelled {
                guard let settings = holder.context.configuration.gateway.pomerium else {
                    try? await Task.sleep(for: .seconds(5))  // not configured (a reload may turn it on)
                    continue
                }
                do {
                    let fetched = try await fetch(settings)
                    keys.install(fetched, at: Date())
                    if lastError != nil {
                        logger.info("Pomerium JWKS fetched again", metadata: ["gateway.pomerium.kids": "\(fetched.keys.sorted())"])
                    }
                    lastError = nil
                } catch {
                    let reason = "\(error)"
                    keys.failed(reason)
                    if lastError != reason {
                        logger.error(
                            "Pomerium JWKS not fetched; cached keys (if any) stay trusted up to identity.pomerium.max_stale",
                            metadata: [
                                "gateway.pomerium.jwks_url": "\(settings.jwksURL)", "gateway.error": "\(reason)",
                            ])
                    }
                    lastError = reason
                }
                // The next interval, or sooner (but not before minimumSpacing) when a request met
                // an unknown kid.
                let interval = Duration.milliseconds(Int64(max(settings.refreshInterval, 1) * 1000))
                let clock = ContinuousClock()
                let fetched = clock.now
                try? await Task.sleep(for: min(minimumSpacing, interval))
                while !Task.isCancelled, clock.now - fetched < interval, !keys.refreshWanted {
                    try? await Task.sleep(for: poll)
                }
            }
        }
    }

    /// The JWKS's ES256 and RS256 keys by `kid`, through jwt-kit's JWK parsing.
    func fetch(_ settings: PomeriumSettings) async throws -> [String: PomeriumKeySet.Key] {
        var request = HTTPClientRequest(url: settings.jwksURL.description)
        request.headers.add(name: "accept", value: "application/json")
        let response = try await httpClient.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw FetchError(reason: "the JWKS answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: 1 << 20)
        let jwks: JWKS
        do {
            jwks = try JSONDecoder().decode(JWKS.self, from: Data(body.readableBytesView))
        } catch {
            throw FetchError(reason: "the JWKS is not a JSON Web Key Set (\(error))")
        }
        let collection = JWTKeyCollection()
        var keys: [String: PomeriumKeySet.Key] = [:]
        for jwk in jwks.keys {
            guard let kid = jwk.keyIdentifier?.string else { continue }
            let algorithm: String
            switch (jwk.algorithm?.rawValue, jwk.keyType.rawValue) {
            case ("ES256", _), (nil, "EC"): algorithm = "ES256"
            case ("RS256", _), (nil, "RSA"): algorithm = "RS256"
            default: continue  // an algorithm the gateway does not accept
            }
            var typed = jwk
            typed.algorithm = JWK.Algorithm(rawValue: algorithm)
            do {
                try await collection.add(jwk: typed)
                keys[kid] = .init(algorithm: algorithm, verifier: try await collection.getKey(for: JWKIdentifier(string: kid), alg: algorithm))
            } catch {
                logger.warning("a key of the Pomerium JWKS is not usable", metadata: ["gateway.pomerium.kid": "\(kid)", "gateway.error": "\(error)"])
            }
        }
        guard !keys.isEmpty else { throw FetchError(reason: "the JWKS holds no ES256 or RS256 key") }
        return keys
    }

    struct FetchError: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}
