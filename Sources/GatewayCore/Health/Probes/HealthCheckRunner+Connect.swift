import NIOCore
import NIOPosix
import NIOSSL

extension HealthCheckRunner {
    /// DNS, TCP connect and (for TLS endpoints) the handshake, each recorded as its own step.
    func open(_ endpoint: Endpoint, deadline: NIODeadline, progress: inout CheckProgress) async throws(StepFailure) -> any Channel {
        let loop = group.next()
        let addresses = try await resolve(endpoint, loop: loop, deadline: deadline, progress: &progress)
        let channel = try await connect(endpoint, addresses: addresses, loop: loop, deadline: deadline, progress: &progress)
        guard let context = endpoint.tlsContext else {
            progress.record(.tls, .skipped, "plaintext: the executor is not reached over TLS")
            return channel
        }
        do {
            try await handshake(channel, context: context, endpoint: endpoint, deadline: deadline, progress: &progress)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return channel
    }

    private func resolve(
        _ endpoint: Endpoint, loop: any EventLoop, deadline: NIODeadline, progress: inout CheckProgress
    ) async throws(StepFailure) -> [SocketAddress] {
        let start = ContinuousClock.now
        if DNSLookup.isLiteral(endpoint.host), let address = try? SocketAddress(ipAddress: endpoint.host, port: endpoint.port) {
            progress.record(.dns, .ok, since: start, "\(endpoint.host) is an address: nothing to resolve")
            return [address]
        }
        let host = endpoint.host
        let port = endpoint.port
        do {
            let addresses = try await NIOThreadPool.singleton.runIfActive(eventLoop: loop) {
                try DNSLookup.resolve(host: host, port: port)
            }.get(before: deadline)
            let list = addresses.map { $0.ipAddress ?? "\($0)" }
            progress.record(.dns, .ok, since: start, "\(host) resolved to \(list.joined(separator: ", "))")
            return addresses
        } catch {
            let reason = HealthFailure.dns(error, host: host)
            progress.record(.dns, .fail, since: start, reason)
            throw StepFailure(verdict: .fail(at: .dns, reason))
        }
    }

    private func connect(
        _ endpoint: Endpoint, addresses: [SocketAddress], loop: any EventLoop, deadline: NIODeadline,
        progress: inout CheckProgress
    ) async throws(StepFailure) -> any Channel {
        let start = ContinuousClock.now
        var lastError: any Error = HealthCheckTimeout()
        var limit = endpoint.connectTimeout
        for address in addresses {
            let remaining = Double((deadline - .now()).nanoseconds) / 1e9
            guard remaining > 0 else { break }
            limit = min(endpoint.connectTimeout, remaining)
            do {
                let channel = try await ClientBootstrap(group: loop)
                    .connectTimeout(TimeAmount(seconds: limit))
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(ReadHoldingHandler())
                        }
                    }
                    .connect(to: address)
                    .get(before: deadline)
                progress.record(.connect, .ok, since: start, "connected to \(address.ipAddress ?? endpoint.host):\(endpoint.port)")
                return channel
            } catch {
                lastError = error
                if error is CancellationError { break }
            }
        }
        let reason = HealthFailure.connect(lastError, address: endpoint.address, timeout: limit)
        progress.record(.connect, .fail, since: start, reason)
        throw StepFailure(verdict: .fail(at: .connect, reason))
    }

    private func handshake(
        _ channel: any Channel, context: NIOSSLContext, endpoint: Endpoint, deadline: NIODeadline,
        progress: inout CheckProgress
    ) async throws(StepFailure) {
        let start = ContinuousClock.now
        let done = channel.eventLoop.makePromise(of: String?.self)
        let serverHostname = endpoint.serverHostname
        let verified = endpoint.verify
        do {
            try await channel.eventLoop.submit {
                let sync = channel.pipeline.syncOperations
                // [TLS, watcher, read holder]: the protocol handlers go after the holder later.
                try sync.addHandler(TLSHandshakeWatcher(promise: done), position: .first)
                try sync.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname), position: .first)
            }.get(before: deadline)
            let alpn = try await done.futureResult.get(before: deadline)
            let summary = try await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
                return CertificateReader.summary(
                    handler.peerCertificate, verified: verified, serverName: serverHostname, version: handler.tlsVersion,
                    alpn: alpn)
            }.get(before: deadline)
            progress.tls = summary
            progress.record(.tls, verified ? .ok : .warn, since: start, Self.describe(summary))
        } catch {
            done.fail(error)
            let reason = HealthFailure.tls(error, address: endpoint.address, serverName: serverHostname)
            progress.record(.tls, .fail, since: start, reason)
            throw StepFailure(verdict: .fail(at: .tls, reason))
        }
    }

    static func describe(_ tls: TLSSummary) -> String {
        var parts = [tls.version ?? "TLS"]
        parts.append(
            tls.verified
                ? "certificate verified" + (tls.serverName.map { " for \($0)" } ?? "")
                : "certificate NOT verified (verify_tls: false)")
        if let subject = tls.subject { parts.append("subject \(subject)") }
        if !tls.names.isEmpty { parts.append("names \(tls.names.joined(separator: ", "))") }
        if let date = tls.notValidAfter { parts.append("valid until \(HealthFormat.timestamp(date))") }
        return parts.joined(separator: "; ")
    }
}
