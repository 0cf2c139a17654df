"""Boundary corpus, fuzzing: seeded, reproducible request heads sent through the gateway to the
strict recording upstream. Each case mixes methods (TRACE, CONNECT, odd tokens), framing headers
(Content-Length, chunked, both, duplicates, `gzip, chunked`, `Transfer_Encoding`, signs and
spaces), path encodings (`..`, `%2e%2e`, `%2f`, `%5c`, `%00`, `//`, `./`, either case of hex,
`#`, UTF-8) and header spellings (`_`, case) of credential and forwarding headers.

For every case, either the gateway answered 4xx/5xx itself and nothing reached the upstream for
it, or exactly one well-framed request did, with the connector's own credential header (once,
the configured value), no caller token, and a path that (percent-decoded once, `\\` read as `/`,
dot segments removed) lies under the connector's executor base path.

The seed is printed; `BOUNDARY_FUZZ_SEED=<n>` replays a run."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

import pytest

from harness.boundary import (
    ATTACKER_TOKEN, BOUNDARY_ENV, CALLER_TOKENS, RecordingUpstream, boundary_principals, chunked, fold_name,
    fuzz_seed, readable_within, under_base)
from harness.gateway import HTTP_CREDENTIAL, LANGBOARD_KEY, WORKER_TOKEN
from harness.net import ConnectionEnded, RawHTTP

CASES = 2000
TIME_BUDGET = 240  # seconds: a hung or very slow gateway fails the test instead of the suite

#: name -> (executor base path, credential header, credential value)
CONNECTORS = {
    "fz": ("/fz/base", "authorization", f"Bearer {HTTP_CREDENTIAL}"),
    "fzb": ("/fzb/base", "x-api-key", LANGBOARD_KEY),
}


@pytest.fixture(scope="module")
def upstream():
    with RecordingUpstream("fuzz") as server:
        yield server


@pytest.fixture(scope="module")
def gateway(upstream, module_gateways):
    return module_gateways([
        {"name": "fz", "kind": "http", "executor_url": f"{upstream.base}/fz/base",
         "auth": {"credential": "env://E2E_HTTP_CREDENTIAL"}},
        {"name": "fzb", "kind": "langboard", "executor_url": f"{upstream.base}/fzb/base",
         "auth": {"api_key": "env://E2E_LANGBOARD_KEY"}},
    ], env=BOUNDARY_ENV, principals=boundary_principals("fz"))


# -- generating cases


METHODS = (["GET"] * 8 + ["POST"] * 6 + ["PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] * 2
           + ["TRACE"] * 3 + ["CONNECT"] * 2 + ["get", "G3T", "PROPFIND", "X_Y", "PURGE", "BREW", "TRACK"])

SEGMENTS = [
    "a", "b", "data", "v1", "v0", "management", "admin", "..", ".", "", "%2e%2e", "%2E%2e", "%2e%2E", ".%2e", "%2E.",
    "%2e", "..%2f", "%2e%2e%2f", "%2f", "%2F", "a%2fb", "%5c", "%5C", "..%5c", "\\", "..\\", "%00", "a%00",
    "%41", "%7e", "%7E", "~user", "a%20b", "caf%c3%a9", "caf%C3%A9", "caf\u00c3\u00a9", "%25", "%252e%252e",
    ";x=1", "..;", "a:b", "@", "%3a", "%3A", "%u002e", "%%2e", "%2", "%zz", "a+b", "!$&'()*,=",
]

PREFIXES = ["/executor/{c}"] * 72 + [
    "/executor//{c}", "/executor/{C}", "/executor/%66z", "/executor/./{c}", "/executor/{c}/../fzb",
    "/executor/{c}/..%2ffzb", "/Executor/{c}", "/executor/{c}%2f"]

QUERY_PARAMS = ["a=1", "key=fz-caller-key", "%6bey=fz-caller-key", "KEY=1", "auth_token=fz-caller-token",
                "q=%2e%2e/..%2f", "x=a%20b", "p=/../../admin", "e=", "flag", "u=%c3%a9", "z=%00"]

#: (name, value) candidates: credential and forwarding headers in several spellings.
SPELLINGS = [
    ("X-Api-Key", "fz-caller-key"), ("x_api_key", "fz-caller-key"), ("X-API-KEY", "fz-caller-key"),
    ("X_Api_Key", "fz-caller-key"), ("Api-Key", "fz-caller-key"), ("X-Goog-Api-Key", "fz-caller-key"),
    ("Proxy-Authorization", "Basic eDp4"), ("X-Forwarded-For", "6.6.6.6"), ("X_Forwarded_For", "6.6.6.6"),
    ("x-forwarded-for", "6.6.6.6, 7.7.7.7"), ("Forwarded", "for=6.6.6.6"), ("X-Real-IP", "6.6.6.6"),
    ("x_real_ip", "6.6.6.6"), ("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Prefix", "/evil"),
    ("X-Original-URL", "/admin/secret"), ("X-Rewrite-URL", "/admin/secret"), ("True-Client-IP", "6.6.6.6"),
    ("Connection", "close"), ("Connection", "keep-alive, X-Api-Key"), ("Connection", "X-Forwarded-For"),
    ("TE", "trailers"), ("Upgrade", "websocket"), ("Keep-Alive", "timeout=5"), ("Expect", "100-continue"),
    ("Host", "second.example"), ("X-Custom", "kept"), ("Cookie", "a=b"), ("Content-Type", "application/json"),
    ("Trailer", "X-Api-Key"),
]

BODIES = [b"hello", b"", b"x" * 300, b'{"a":1}',
          b"GET /smuggled HTTP/1.1\r\nHost: upstream\r\n\r\n",
          b"POST /steal HTTP/1.1\r\nHost: upstream\r\nContent-Length: 200\r\n\r\nstolen="]


@dataclass
class Case:
    index: int
    connector: str | None  # the connector the prefix names plainly (None for odd prefixes)
    method: str
    target: str
    data: bytes
    framing: str
    #: framing a strict parser agrees on: the connection may be reused after the answer
    clean: bool
    body: bytes | None  # the body an upstream should get when forwarded (None: framing unclear)
    request_id: str
    status: int | None = None
    from_upstream: bool = False
    ended: str | None = None
    notes: list[str] = field(default_factory=list)


def make_target(rng: random.Random) -> tuple[str, str | None]:
    connector = rng.choice(["fz", "fzb"])
    prefix = rng.choice(PREFIXES)
    plain = prefix == "/executor/{c}"
    prefix = prefix.format(c=connector, C=connector.upper())
    segments = [rng.choice(SEGMENTS) if rng.random() < 0.3 else rng.choice(["a", "b", "c", "data", "v1", "x.json"])
                for _ in range(rng.randint(1, 4))]
    path = ""
    for segment in segments:
        path += rng.choice(["/"] * 9 + ["//"]) + segment
    if rng.random() < 0.4:
        path += "?" + "&".join(rng.choice(QUERY_PARAMS) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.04:
        path += "#" + rng.choice(["frag", "/../../admin", ""])
    return prefix + path, connector if plain else None


def framing_for(rng: random.Random, body: bytes) -> tuple[str, list[tuple[str, str]], bytes, bool, bytes | None]:
    """(kind, framing headers, wire bytes after the head, clean, body forwarded if clean)."""
    n = len(body)
    wire_chunked = chunked(body)
    kind = rng.choice(["none"] * 6 + ["cl"] * 6 + ["chunked"] * 5 + [
        "cl0", "chunked-trailers", "cl-te", "te-cl", "gzip-chunked", "identity", "te-twice", "te-list", "underscore-te",
        "cl-plus", "cl-minus", "cl-list", "cl-dup-same", "cl-dup-diff", "cl-hex", "cl-huge", "cl-ows", "te-case",
        "te-tab", "te-fold", "te-xchunked"])
    if kind == "none":
        return kind, [], b"", True, b""
    if kind == "cl":
        return kind, [("Content-Length", str(n))], body, True, body
    if kind == "cl0":
        return kind, [("Content-Length", "0")], b"", True, b""
    if kind == "cl-ows":
        return kind, [("Content-Length", f"  {n}  ")], body, False, body
    if kind == "chunked":
        return kind, [("Transfer-Encoding", "chunked")], wire_chunked, True, body
    if kind == "chunked-trailers":
        trailers = rng.sample([("X-Checksum", "1"), ("X-Api-Key", "fz-trailer-key"), ("X_Api_Key", "fz-trailer-key"),
                               ("Authorization", f"Bearer {WORKER_TOKEN}"), ("X-Forwarded-For", "6.6.6.6"),
                               ("Content-Length", "5"), ("Host", "evil.example")], 2)
        return kind, [("Transfer-Encoding", "chunked")], chunked(body, trailers=trailers), False, body
    if kind == "cl-te":
        headers = [("Content-Length", str(len(wire_chunked))), ("Transfer-Encoding", "chunked")]
        return kind, headers, wire_chunked, False, None
    if kind == "te-cl":
        headers = [("Transfer-Encoding", "chunked"), ("Content-Length", str(len(wire_chunked)))]
        return kind, headers, wire_chunked, False, None
    if kind == "gzip-chunked":
        return kind, [("Transfer-Encoding", "gzip, chunked")], wire_chunked, False, None
    if kind == "identity":
        return kind, [("Transfer-Encoding", "identity")], body, False, None
    if kind == "te-twice":
        return kind, [("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")], wire_chunked, False, None
    if kind == "te-list":
        return kind, [("Transfer-Encoding", "chunked, chunked")], wire_chunked, False, None
    if kind == "underscore-te":
        return kind, [("Transfer_Encoding", "chunked"), ("Content-Length", str(n))], body, False, body
    if kind == "cl-plus":
        return kind, [("Content-Length", f"+{n}")], body, False, None
    if kind == "cl-minus":
        return kind, [("Content-Length", "-1")], body, False, None
    if kind == "cl-list":
        return kind, [("Content-Length", f"{n}, {n}")], body, False, None
    if kind == "cl-dup-same":
        return kind, [("Content-Length", str(n)), ("Content-Length", str(n))], body, False, None
    if kind == "cl-dup-diff":
        return kind, [("Content-Length", str(n)), ("Content-Length", str(n + 1))], body, False, None
    if kind == "cl-hex":
        return kind, [("Content-Length", f"0x{n:x}")], body, False, None
    if kind == "cl-huge":
        return kind, [("Content-Length", "9" * 25)], body, False, None
    if kind == "te-case":
        return kind, [("Transfer-Encoding", "Chunked")], wire_chunked, False, None
    if kind == "te-tab":
        return kind, [("Transfer-Encoding", "\tchunked")], wire_chunked, False, None
    if kind == "te-fold":
        return kind, [("Transfer-Encoding", "gzip,\r\n chunked")], wire_chunked, False, None
    return kind, [("Transfer-Encoding", "xchunked")], wire_chunked, False, None


def make_case(rng: random.Random, index: int, seed: int) -> Case:
    target, connector = make_target(rng)
    method = rng.choice(METHODS)
    version = rng.choice(["HTTP/1.1"] * 30 + ["HTTP/1.0", "HTTP/1.2", "HTTP/2.0"])
    body = rng.choice(BODIES)
    kind, framing, wire, clean, forwarded = framing_for(rng, body)
    request_id = f"fz-{seed:x}-{index}"
    headers = [("Host", "gateway.test")] if rng.random() > 0.02 else []
    if not headers:
        clean = False
    auth_name = rng.choice(["Authorization"] * 6 + ["authorization", "AUTHORIZATION"])
    headers.append((auth_name, f"Bearer {WORKER_TOKEN}"))
    if rng.random() < 0.05:
        headers.append(("Authorization", f"Bearer {ATTACKER_TOKEN}"))
    headers.append(("X-Request-ID", request_id))
    extras = rng.sample(SPELLINGS, rng.randint(0, 4))
    if any(name.lower() in ("connection", "expect", "host", "upgrade", "trailer") for name, _ in extras):
        clean = False
    headers += extras
    headers += framing
    rng.shuffle(headers)
    lines = [f"{method} {target} {version}", *(f"{name}: {value}" for name, value in headers)]
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + wire
    if version != "HTTP/1.1" or method not in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") or "#" in target:
        clean = False
    return Case(index, connector, method, target, data, kind, clean, forwarded, request_id)


# -- sending


def send_all(gateway, cases: list[Case]) -> float:
    started = time.monotonic()
    conn: RawHTTP | None = None
    for case in cases:
        if time.monotonic() - started > TIME_BUDGET:
            raise AssertionError(f"the fuzz run exceeded {TIME_BUDGET}s at case {case.index} of {len(cases)}")
        # reused only when nothing is pending on it (an EOF or stray bytes make it readable)
        if conn is not None and (not case.clean or conn.buffer or readable_within(conn.sock, 0)):
            conn.close()
            conn = None
        if conn is None:
            conn = RawHTTP(gateway.port, timeout=5)
        try:
            conn.send(case.data)
        except OSError:
            pass
        try:
            response = conn.read_response(case.method)
            case.status = response.status
            case.from_upstream = response.header("x-upstream-seq") is not None
            keep = case.clean and response.complete and (response.header("connection") or "").lower() != "close"
        except (ConnectionEnded, ValueError, IndexError) as ended:
            case.ended = getattr(ended, "how", repr(ended))
            keep = False
        if not keep:
            conn.close()
            conn = None
    if conn is not None:
        conn.close()
    return time.monotonic() - started


# -- checking


def check(cases: list[Case], upstream: RecordingUpstream) -> list[str]:
    violations = [f"upstream parse failure on connection {f.connection}: {f.reason}: {f.data[:200]!r}"
                  for f in upstream.failures]
    violations += [f"bytes that are no request on upstream connection {index}: {data[:200]!r}"
                   for index, data in upstream.unparsed().items()]
    for index, raw in enumerate(upstream.streams()):
        for token in CALLER_TOKENS:
            if token.encode() in raw:
                violations.append(f"a caller token reached the upstream on connection {index}")
    by_id: dict[str, list] = {}
    for request in upstream.requests():
        ids = request.header_values("x-request-id")
        if len(ids) != 1 or ids[0] not in {c.request_id for c in cases}:
            violations.append(f"an upstream request belongs to no case: {request.head_text()[:300]!r}")
            continue
        by_id.setdefault(ids[0], []).append(request)
    for case in cases:
        seen = by_id.get(case.request_id, [])
        where = f"case {case.index} ({case.method} {case.target!r}, {case.framing}, status {case.status})"
        if case.status is not None and not case.from_upstream and case.status < 400:
            violations.append(f"{where}: the gateway answered {case.status} itself")
        if not case.from_upstream:
            if seen:
                violations.append(f"{where}: answered by the gateway, yet {len(seen)} request(s) reached the upstream")
            continue
        if len(seen) != 1:
            violations.append(f"{where}: answered by the upstream after {len(seen)} upstream requests")
            continue
        violations += [f"{where}: {problem}" for problem in check_forwarded(case, seen[0])]
    return violations


def check_forwarded(case: Case, request) -> list[str]:
    problems = []
    if request.method != case.method or request.method in ("TRACE", "CONNECT"):
        problems.append(f"method {request.method}")
    landed = [name for name, (base, _, _) in CONNECTORS.items() if under_base(request.path, base)]
    if not landed:
        problems.append(f"path {request.path!r} is outside every executor base")
        return problems
    name = landed[0]
    if case.connector is not None and name != case.connector:
        problems.append(f"reached connector {name}, not {case.connector}")
    _, header, value = CONNECTORS[name]
    if request.folded_values(header) != [value]:
        problems.append(f"{header} values {request.folded_values(header)!r}")
    if name == "fzb" and request.folded_values("authorization"):
        problems.append("an Authorization header reached the Langboard connector")
    lengths = [v for k, v in request.headers if fold_name(k) == "content-length"]
    encodings = [v for k, v in request.headers if fold_name(k) == "transfer-encoding"]
    if lengths and encodings:
        problems.append("both framing headers upstream")
    if case.body is not None:
        if request.body != case.body:
            problems.append(f"body {request.body[:80]!r} != {case.body[:80]!r}")
        if case.framing == "none" and request.framing != "none":
            problems.append(f"framing {request.framing} for a request without a body")
        if case.framing in ("cl", "cl0", "cl-ows") and lengths != [str(len(case.body))]:
            problems.append(f"content-length {lengths!r} for a {len(case.body)}-byte body")
        if case.framing.startswith("chunked") and request.framing != "chunked":
            problems.append(f"framing {request.framing} for a chunked body")
    return problems


def test_fuzzed_request_heads_never_cross_the_boundary(gateway, upstream):
    seed = fuzz_seed()
    print(f"boundary fuzz seed: {seed} (replay with BOUNDARY_FUZZ_SEED={seed})")
    rng = random.Random(seed)
    cases = [make_case(rng, index, seed) for index in range(CASES)]
    upstream.clear()
    elapsed = send_all(gateway, cases)
    upstream.quiet(period=0.5, timeout=10)
    violations = check(cases, upstream)
    forwarded = sum(c.from_upstream for c in cases)
    refused = sum(1 for c in cases if not c.from_upstream)
    print(f"{len(cases)} cases in {elapsed:.1f}s: {forwarded} forwarded, {refused} refused by the gateway, "
          f"{sum(1 for c in cases if c.ended)} without an answer")
    assert forwarded > CASES // 10, f"only {forwarded} cases reached the upstream: the generator is off (seed {seed})"
    assert refused > CASES // 10, f"only {refused} cases were refused: the generator is off (seed {seed})"
    assert not violations, f"seed {seed}: {len(violations)} violations, first ones:\n" + "\n".join(violations[:25])
