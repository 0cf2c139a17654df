import Foundation

/// `/status`: the report as one self-contained HTML page (inline CSS, no scripts or external
/// assets), readable on a phone, refreshing itself with a meta refresh.
enum StatusPage {
    /// `tunnels`: open WebSocket tunnels by connector (a running gateway's; a card then shows its count).
    static func render(_ report: HealthReport?, refreshSeconds: Int, now: Date = Date(), tunnels: [String: Int]? = nil) -> String {
        guard let report else {
            return page(
                title: "Connector health: waiting", refresh: 2,
                body: """
                    <header><h1>Connector health</h1><p class="summary">The first round of checks is still running.</p></header>
                    """)
        }
        let counts = report.counts
        let summary = HealthState.allCases.filter { counts[$0, default: 0] > 0 }
            .map { "\(counts[$0]!) \($0.rawValue)" }.joined(separator: ", ")
        var body = """
            <header><h1>Connector health</h1>
            <p class="summary state-\(report.overall.rawValue)">\(escape(report.summaryLine))</p>
            <p class="meta">Checked <time datetime="\(HealthFormat.timestamp(report.generatedAt))">\(escape(HealthFormat.timestamp(report.generatedAt)))</time> (\(HealthFormat.age(now.timeIntervalSince(report.generatedAt)))); this page refreshes every \(refreshSeconds) s. JSON: <a href="/health/connectors">/health/connectors</a></p>
            </header>
            <main>

            """
        for connector in report.connectors { body += card(connector, now: now, tunnels: tunnels.map { $0[connector.name, default: 0] }) }
        body += "</main>\n"
        return page(title: "Connector health: \(summary)", refresh: refreshSeconds, body: body)
    }

    static func card(_ health: ConnectorHealth, now: Date, tunnels: Int? = nil) -> String {
        let latency = health.probe?.latencySeconds.map(HealthFormat.milliseconds) ?? "-"
        let expiry = health.tls.flatMap { HealthFormat.expiry($0, now: now) }.map { $0.hasPrefix("expired") ? $0 : "in \($0)" } ?? "-"
        let checked = "\(HealthFormat.age(now.timeIntervalSince(health.checkedAt)))"
        var steps = ""
        for step in health.steps {
            let time = step.seconds.map { " (\(HealthFormat.milliseconds($0)))" } ?? ""
            steps +=
                "<li class=\"step-\(step.status.rawValue)\"><b>\(step.step.rawValue)</b> \(step.status.rawValue)\(time): \(escape(step.detail))</li>\n"
        }
        return """
            <section class="connector state-\(health.state.rawValue)" id="connector-\(escape(health.name))" data-connector="\(escape(health.name))" data-state="\(health.state.rawValue)">
            <div class="head"><h2>\(escape(health.name))</h2><span class="badge">\(health.state.rawValue)</span></div>
            <p class="reason">\(escape(health.reason))</p>
            <dl>
            <dt>Kind</dt><dd>\(escape(health.kind))</dd>
            <dt>Runtime asset</dt><dd class="runtime-asset">\(escape(health.runtimeAsset.map { asset in asset.role.map { "\(asset.id) (\($0))" } ?? asset.id } ?? "-"))</dd>
            <dt>Decided by</dt><dd>\(health.decidedBy.rawValue)</dd>
            <dt>Latency</dt><dd>\(latency)</dd>
            <dt>Cert expires</dt><dd>\(escape(expiry))</dd>
            <dt>Checked</dt><dd><time datetime="\(HealthFormat.timestamp(health.checkedAt))">\(checked)</time></dd>
            <dt>Target</dt><dd class="target">\(escape(health.target ?? "-"))</dd>
            \(tunnels.map { "<dt>Open tunnels</dt><dd class=\"tunnels\">\($0)</dd>\n" } ?? "")            </dl>
            <details><summary>Steps</summary><ol>
            \(steps)</ol></details>
            </section>

            """
    }

    static func page(title: String, refresh: Int, body: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="\(refresh)">
        <title>\(escape(title))</title>
        <style>\(style)</style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static let style = """
        :root{color-scheme:light dark;--ok:#1a7f37;--degraded:#9a6700;--skip:#8250df;--fail:#cf222e;--unconfigured:#6e7781}
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:960px;padding:12px}
        h1{font-size:1.4em;margin:.2em 0}.meta{color:#6e7781;font-size:.9em}.summary{font-weight:600}
        main{display:grid;gap:12px;grid-template-columns:repeat(auto-fill,minmax(280px,1fr))}
        .connector{border:1px solid #d0d7de;border-left:6px solid var(--c);border-radius:8px;padding:10px 12px;overflow-wrap:anywhere}
        .head{display:flex;justify-content:space-between;align-items:center;gap:8px}h2{font-size:1.1em;margin:0}
        .badge{background:var(--c);color:#fff;border-radius:999px;padding:1px 10px;font-weight:700;text-transform:uppercase;font-size:.8em}
        .reason{margin:.5em 0}dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0;font-size:.9em}dt{color:#6e7781}dd{margin:0}
        details{margin-top:6px;font-size:.85em}ol{padding-left:1.2em;margin:.3em 0}.step-fail{color:var(--fail)}.step-warn{color:var(--degraded)}
        .state-ok{--c:var(--ok)}.state-degraded{--c:var(--degraded)}.state-skip{--c:var(--skip)}.state-fail{--c:var(--fail)}.state-unconfigured{--c:var(--unconfigured)}
        """

    /// Text for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
