"""The soak's verdict can fail: an error outside its fault window, an error of a kind the fault
does not explain, a truncated success and an undocumented error body are each reported. (The soak
itself, scripts/soak, runs after this suite.)"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "soak"))

from soak import Call, Faults, Result, Window, classify_error, judge  # noqa: E402

FLAKY = Call("flaky", "flaky", "GET", "/executor/flaky/blob/256k", expect=b"x")
RESET = Call("reset-mid-body", "python", "GET", "/executor/python/reset", outcome="aborted")


def faults(*windows: Window) -> Faults:
    record = Faults()
    record.windows.extend(windows)
    return record


def test_healthy_outcomes_and_errors_inside_their_window_pass():
    record = faults(Window("flaky", frozenset({"refused", "reset", "aborted"}), start=10.0, end=13.0))
    results = [Result(FLAKY, "ok", 1.0, 1.1), Result(RESET, "aborted", 2.0, 2.1),
               Result(FLAKY, "refused", 12.9, 13.2), Result(FLAKY, "reset", 9.9, 10.05)]
    assert judge(results, record, began=0.0) == []


def test_errors_outside_the_window_of_another_upstream_or_kind_fail():
    record = faults(Window("flaky", frozenset({"refused"}), start=10.0, end=13.0))
    results = [
        Result(FLAKY, "refused", 13.5, 13.6),  # after the window closed
        Result(FLAKY, "tls", 11.0, 11.1),  # a kind the fault does not explain
        Result(Call("steady", "steady", "GET", "/b", expect=b"x"), "refused", 11.0, 11.1),  # another upstream
        Result(FLAKY, "truncated", 11.0, 11.1, "200 with 3 bytes"),  # never allowed
        Result(FLAKY, "dropped", 11.0, 11.1, "no response"),
        Result(RESET, "ok", 1.0, 1.1),  # the reset route cannot succeed
    ]
    violations = judge(results, record, began=0.0)
    assert len(violations) == len(results), violations
    assert "truncated at +11.00s (200 with 3 bytes)" in violations[3]


class Response:
    def __init__(self, status: int, headers: dict[str, str]):
        self.status = status
        self.headers = headers

    def getheader(self, name: str, default=None):
        return self.headers.get(name, default)


PROBLEM = {"Content-Type": "application/problem+json", "X-Request-Id": "r-1"}


def problem(kind: str, status: int) -> bytes:
    return json.dumps({"type": f"urn:fractalops:gateway:{kind}", "status": status, "title": "t"}).encode()


def test_error_bodies_are_classified_by_their_documented_type_and_status():
    assert classify_error(Response(502, PROBLEM), problem("refused", 502))[0] == "refused"
    assert classify_error(Response(504, PROBLEM), problem("timeout", 504))[0] == "timeout"
    assert classify_error(Response(502, PROBLEM), problem("timeout", 502))[0] == "undocumented"
    assert classify_error(Response(502, {"Content-Type": "text/html"}), b"<h1>Bad Gateway</h1>")[0] == "undocumented"
    assert classify_error(Response(502, {"Content-Type": "application/problem+json"}),
                          problem("refused", 502))[0] == "undocumented"  # no request id
    assert classify_error(Response(502, PROBLEM), b"{not json")[0] == "undocumented"
