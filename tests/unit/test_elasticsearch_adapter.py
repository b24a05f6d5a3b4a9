"""The Elasticsearch 8 adapter, through the real `elasticsearch` client over real HTTP.

No Elasticsearch node can be started from the registries CI reaches (its server modules
are not on Maven Central), so a small HTTP server here answers as Elasticsearch 8 does and
records what the client sent: the requests the adapter makes and how it reads answers.
The query and mapping code the adapter carries is shared with OpenSearch and runs against
a real OpenSearch node in the contract suites.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from matchmaker.searchengine.adapters import ElasticsearchAdapter, connect
from matchmaker.searchengine.client import (
    BulkFailure,
    EngineAddress,
    SearchEngineError,
    SearchUnavailable,
)


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class FakeElasticsearch:
    """Answers (status, JSON) per "METHOD /path" and records every request."""

    answers: dict[str, tuple[int, Any]] = field(default_factory=dict)
    seen: list[Exchange] = field(default_factory=list)
    port: int = 0

    def json_bodies(self) -> list[Any]:
        return [json.loads(exchange.body) for exchange in self.seen if exchange.body]


@pytest.fixture
def fake() -> Iterator[FakeElasticsearch]:
    state = FakeElasticsearch()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            path = self.path.split("?")[0]
            headers = {name.lower(): value for name, value in self.headers.items()}
            state.seen.append(Exchange(self.command, self.path, headers, body))
            status, payload = state.answers.get(f"{self.command} {path}", (404, {"error": "?"}))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=8")
            self.send_header("X-Elastic-Product", "Elasticsearch")  # the client checks it
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _answer

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def adapter(fake: FakeElasticsearch, credentials: str = "") -> ElasticsearchAdapter:
    client = connect(f"elasticsearch+http://{credentials}127.0.0.1:{fake.port}")
    assert isinstance(client, ElasticsearchAdapter)
    return client


def test_url_names_the_engine_and_its_credentials() -> None:
    address = EngineAddress.parse("elasticsearch+https://elastic:p%40ss@es.internal:9200")
    assert address == EngineAddress("elasticsearch", "https://es.internal:9200", "elastic", "p@ss")
    assert EngineAddress.parse("opensearch+http://127.0.0.1:9250").flavour == "opensearch"
    for wrong in ("http://127.0.0.1:9200", "solr+http://x:8983", "opensearch+ftp://x"):
        with pytest.raises(ValueError, match="MATCHMAKER_SEARCH_URL"):
            EngineAddress.parse(wrong)


def test_version_sends_basic_auth_and_reads_the_number(fake: FakeElasticsearch) -> None:
    fake.answers["GET /"] = (200, {"version": {"number": "8.15.3"}, "tagline": "You Know"})
    assert adapter(fake, "elastic:s3cret@").version() == "8.15.3"
    sent = fake.seen[0]
    expected = base64.b64encode(b"elastic:s3cret").decode()
    assert sent.headers["authorization"] == f"Basic {expected}"
    assert "compatible-with=8" in sent.headers["accept"]


def test_index_lifecycle_requests(fake: FakeElasticsearch) -> None:
    fake.answers["PUT /mm-needs-1"] = (200, {"acknowledged": True, "index": "mm-needs-1"})
    fake.answers["GET /_alias/mm-needs"] = (200, {"mm-needs-0": {"aliases": {"mm-needs": {}}}})
    fake.answers["POST /_aliases"] = (200, {"acknowledged": True})
    fake.answers["DELETE /mm-needs-0"] = (200, {"acknowledged": True})
    client = adapter(fake)
    body = {"settings": {"number_of_shards": 1}, "mappings": {"properties": {}}}
    client.create_index("mm-needs-1", body)
    assert client.alias_targets("mm-needs") == ["mm-needs-0"]
    client.swap_alias("mm-needs", "mm-needs-1", ["mm-needs-0"])
    client.delete_index("mm-needs-0")
    assert [(e.method, e.path.split("?")[0]) for e in fake.seen] == [
        ("PUT", "/mm-needs-1"),
        ("GET", "/_alias/mm-needs"),
        ("POST", "/_aliases"),
        ("DELETE", "/mm-needs-0"),
    ]
    create, swap = fake.json_bodies()
    assert create == body
    assert swap == {
        "actions": [
            {"add": {"index": "mm-needs-1", "alias": "mm-needs"}},
            {"remove": {"index": "mm-needs-0", "alias": "mm-needs"}},
        ]
    }
    assert "ignore_unavailable=true" in fake.seen[-1].path


def test_missing_alias_reads_as_no_targets(fake: FakeElasticsearch) -> None:
    fake.answers["GET /_alias/nothing"] = (404, {"error": "alias [nothing] missing", "status": 404})
    assert adapter(fake).alias_targets("nothing") == []


def test_bulk_sends_ndjson_and_reports_refused_items(fake: FakeElasticsearch) -> None:
    fake.answers["PUT /_bulk"] = fake.answers["POST /_bulk"] = (
        200,
        {
            "errors": True,
            "items": [
                {"index": {"_id": "n1", "status": 201}},
                {"index": {"_id": "n2", "status": 400, "error": {"reason": "bad date"}}},
                {"delete": {"_id": "n3", "status": 404}},  # already gone: not a failure
            ],
        },
    )
    lines = [
        {"index": {"_index": "mm", "_id": "n1"}},
        {"id": "n1", "title": "电子特气"},
        {"index": {"_index": "mm", "_id": "n2"}},
        {"id": "n2", "deadline": "soon"},
        {"delete": {"_index": "mm", "_id": "n3"}},
    ]
    failures = adapter(fake).bulk(lines, refresh=True)
    assert failures == [BulkFailure("n2", 400, "bad date")]
    sent = fake.seen[0]
    assert "refresh=true" in sent.path
    assert "application/vnd.elasticsearch+x-ndjson" in sent.headers["content-type"]
    assert [json.loads(line) for line in sent.body.decode().splitlines()] == lines


def test_search_passes_the_shared_body_through_and_returns_the_json(
    fake: FakeElasticsearch,
) -> None:
    answer = {"hits": {"total": {"value": 1, "relation": "eq"}, "hits": [{"_id": "n1"}]}}
    fake.answers["POST /mm-needs/_search"] = (200, answer)
    body = {"query": {"match": {"text": "特气"}}, "from": 20, "size": 10, "_source": False}
    assert adapter(fake).search("mm-needs", body) == answer
    assert fake.json_bodies() == [body]


def test_count_and_refresh(fake: FakeElasticsearch) -> None:
    fake.answers["POST /mm/_count"] = fake.answers["GET /mm/_count"] = (200, {"count": 42})
    fake.answers["POST /mm/_refresh"] = (200, {"_shards": {"total": 1}})
    client = adapter(fake)
    assert client.count("mm") == 42
    client.refresh("mm")
    assert fake.seen[-1].path.startswith("/mm/_refresh")


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, SearchEngineError), (503, SearchUnavailable), (429, SearchUnavailable)],
)
def test_refusals_and_overload_are_told_apart(
    fake: FakeElasticsearch, status: int, error: type[Exception]
) -> None:
    fake.answers["POST /mm/_search"] = (status, {"error": {"type": "x", "reason": "no"}})
    with pytest.raises(error) as raised:
        adapter(fake).search("mm", {"query": {"match_all": {}}})
    assert status != 400 or not isinstance(raised.value, SearchUnavailable)


def test_an_unreachable_engine_is_unavailable() -> None:
    client = connect("elasticsearch+http://127.0.0.1:9")  # nothing listens on port 9
    with pytest.raises(SearchUnavailable, match="unreachable"):
        client.version()
