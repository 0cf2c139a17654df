/// What one gateway replica answered at `/health/connectors`.
package struct ReplicaHealth: Sendable, Hashable {
    package enum Outcome: Sendable, Hashable {
        /// The replica served its report.
        case report(RemoteHealthReport)
        /// Up, but its first round of checks has not finished (503 `pending`).
        case pending(String)
        /// Not reached, or it answered something other than a health report.
        case unreachable(String)
    }

    /// The URL as given (`http://gateway-0.internal:8080`).
    package var url: String
    /// The URL fetched (`.../health/connectors`).
    package var reportURL: String
    package var outcome: Outcome

    package init(url: String, reportURL: String, outcome: Outcome) {
        self.url = url
        self.reportURL = reportURL
        self.outcome = outcome
    }

    package var report: RemoteHealthReport? {
        if case let .report(report) = outcome { return report }
        return nil
    }

    /// `ok`..`fail` from the report, else `pending` or `unreachable`.
    package var stateName: String {
        switch outcome {
        case let .report(report): return report.state.rawValue
        case .pending: return "pending"
        case .unreachable: return "unreachable"
        }
    }

    /// Why there is no report; nil when there is one.
    package var problem: String? {
        switch outcome {
        case .report: return nil
        case let .pending(why), let .unreachable(why): return why
        }
    }
}
