import Logging
import ServiceLifecycle

/// Re-reads the HTTPS listener's certificate and key every `gateway.tls.reload_interval`, from
/// the current configuration and secrets (so a reload or a secret refresh is seen too), and
/// swaps a changed pair in. A pair that does not load is logged (with what to fix, never the
/// key) and counted; the serving pair stays.
struct ServerCertificateWatcher: Service {
    let certificate: ServerCertificate
    let holder: ProxyContextHolder
    let logger: Logger

    init(certificate: ServerCertificate, holder: ProxyContextHolder, logger: Logger) {
        self.certificate = certificate
        self.holder = holder
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var lastError: String?
            while !Task.isCancelled {
                let context = holder.context
                let interval = context.configuration.gateway.tlsReloadInterval
                try? await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
                if Task.isCancelled { return }
                let current = holder.context
                guard current.configuration.gateway.tlsEnabled else { continue }
                do throws(TLSMaterialError) {
                    if case let .replaced(serial) = try certificate.load(configuration: current.configuration, secrets: current.secrets) {
                        lastError = nil
                        logger.info(
                            "TLS certificate replaced; new connections use it, open ones keep theirs",
                            metadata: [
                                "gateway.tls.serial": "\(serial)"
                            ])
                    }
                } catch {
                    // Once per distinct problem, not every interval.
                    if lastError != error.description {
                        logger.error(
                            "TLS certificate not replaced: the new pair does not load; the previous one keeps serving",
                            metadata: [
                                "gateway.error.code": "\(error.code)", "gateway.error": "\(error.description)",
                                "gateway.tls.serial": "\(certificate.serial)",
                            ])
                    }
                    lastError = error.description
                }
            }
        }
    }
}
