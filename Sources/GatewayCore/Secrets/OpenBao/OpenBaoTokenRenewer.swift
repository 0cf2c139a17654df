import Logging
import ServiceLifecycle

/// Keeps the gateway's OpenBao token alive while it serves: renews it (`renew-self`) at two
/// thirds of its lease when it is renewable, logs in again when it is not. A failure is logged
/// once and retried; the token's own expiry is the deadline.
struct OpenBaoTokenRenewer: Service {
    let auth: OpenBaoAuth
    let logger: Logger

    init(auth: OpenBaoAuth, logger: Logger) {
        self.auth = auth
        self.logger = logger
    }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await loop() }
        } catch is CancellationError {
            // Shutting down.
        }
    }

    private func loop() async throws {
        var failing = false
        while true {
            // A token that never expires (or none yet) is looked at again in a minute.
            let wait = await auth.timeUntilRefresh() ?? .seconds(60)
            try await Task.sleep(for: max(wait, failing ? .seconds(5) : .milliseconds(100)))
            do {
                if try await auth.maintain() {
                    logger.debug("OpenBao token renewed")
                }
                if failing {
                    logger.info("OpenBao token renewal works again")
                    failing = false
                }
            } catch {
                if !failing {
                    logger.error("OpenBao token renewal failed; retrying", metadata: ["gateway.error": "\(error.message)"])
                    failing = true
                }
            }
        }
    }
}
