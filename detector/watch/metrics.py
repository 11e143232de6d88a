"""``watch --metrics ADDR:PORT``: the watch's figures as Prometheus metrics (the official client,
``prometheus-client``), and a health endpoint, over HTTP on a thread of their own.

The figures are the watcher's :class:`~detector.watch.watcher.Figures`, taken on its thread after each change and
read whole at each scrape, so a scrape never sees a half-made count. The people gauges are one per metric of
:data:`detector.exposure.METRICS`, by name (``mynumber_distinct_people``, ``mynumber_public_distinct_people``...):
a metric added there is served without a change here.

``/metrics`` (and ``/``) serve the metrics; ``/healthz`` answers 200 while the watcher's loop turns and the observer
runs (``{"status": "starting"}`` during the first scan of the roots), 503 when the loop has stalled. The server
binds the loopback address unless told otherwise: the figures say how many people a share exposes. Nothing
served holds a number or a file name.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from ..assess import Status
from ..errors import UsageError
from ..messages import text as words  # "text" is the address given, below

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

    from prometheus_client.metrics_core import Metric

    from .observe import Supervised
    from .watcher import Figures, Watcher

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
STALLED_SECONDS = 60.0  # the loop turns at least every half second; this long without a turn is a hang
NAMESPACE = "mynumber"


def parse_address(text: str) -> tuple[str, int]:
    """``ADDR:PORT``, ``:PORT`` or ``PORT`` (the loopback address), ``[::1]:PORT`` for IPv6 -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    host = host.strip("[]") or LOOPBACK
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UsageError(words("metrics.bad_address", address=text))
    return host, int(port)


class WatchCollector:
    """A Prometheus collector reading the watcher's latest figures at each scrape."""

    def __init__(self, figures: Callable[[], Figures], restarts: Callable[[], int]) -> None:
        self.figures = figures
        self.restarts = restarts

    def collect(self) -> Iterator[Metric]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, StateSetMetricFamily

        figures = self.figures()
        for name, people in figures.people.items():
            yield GaugeMetricFamily(f"{NAMESPACE}_{name}", f"Distinct people counted by the exposure metric {name} "
                                    "(detector.exposure.METRICS) in the files watched now.", value=people)
        yield StateSetMetricFamily(f"{NAMESPACE}_assessment_status", "The verdict on what is exposed now.",
                                   value={status.value: status.value == figures.status for status in Status})
        yield GaugeMetricFamily(f"{NAMESPACE}_files_watched", "Files followed.", value=figures.files_watched)
        yield GaugeMetricFamily(f"{NAMESPACE}_files_with_findings", "Files followed that hold findings now.",
                                value=figures.files_with_findings)
        events = CounterMetricFamily(f"{NAMESPACE}_events", "Events sent, by kind.", labels=["event"])
        for kind in ("finding", "cleared", "assessment"):
            events.add_metric([kind], figures.events.get(kind, 0))
        yield events
        yield GaugeMetricFamily(f"{NAMESPACE}_last_scan_timestamp_seconds", "When files were last read (Unix time; "
                                "0 before the first).", value=figures.last_scan)
        yield CounterMetricFamily(f"{NAMESPACE}_observer_restarts", "Times the file system observer died and was "
                                  "restarted.", value=self.restarts())


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics: " + format, *args)


class MetricsServer:
    """The HTTP server of ``--metrics``, on a daemon thread; :meth:`close` stops it."""

    def __init__(self, address: tuple[str, int], figures: Callable[[], Figures], restarts: Callable[[], int],
                 heartbeat: Callable[[], float], observer_alive: Callable[[], bool]) -> None:
        from prometheus_client import CollectorRegistry, make_wsgi_app

        registry = CollectorRegistry(auto_describe=False)
        registry.register(WatchCollector(figures, restarts))
        self.metrics_app = make_wsgi_app(registry)
        self.figures, self.heartbeat, self.observer_alive = figures, heartbeat, observer_alive
        server_class = _Server6 if ":" in address[0] else _Server
        try:
            self.server = make_server(address[0], address[1], self.app, server_class, _QuietHandler)
        except OSError as exc:
            raise UsageError(words("metrics.cannot_listen", address=f"{address[0]}:{address[1]}",
                                   reason=exc.strerror)) from None
        self.thread = threading.Thread(target=self.server.serve_forever, name="mynumber-metrics", daemon=True)
        self.thread.start()
        host = str(self.server.server_address[0])
        log.info("serving metrics on http://%s:%d/metrics (health: /healthz)",
                 f"[{host}]" if ":" in host else host, self.port)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return self._health(start_response)
        served: Iterable[bytes] = self.metrics_app(environ, start_response)
        return served

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        if not self.figures().started:
            status = "starting"  # the first scan of the roots: the loop turns once it is done
        elif time.monotonic() - self.heartbeat() > STALLED_SECONDS:
            status = "stalled"
        else:
            status = "ok" if self.observer_alive() else "observer down"
        code = "200 OK" if status in ("ok", "starting") else "503 Service Unavailable"
        body = json.dumps({"status": status}).encode()
        start_response(code, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve(address: str, watcher: Watcher, observer: Supervised) -> MetricsServer:
    """The metrics of ``watcher`` and ``observer`` served at ``address`` (``ADDR:PORT``, ``PORT``)."""
    try:
        import prometheus_client  # noqa: F401 (an optional dependency: say so before anything starts)
    except ImportError:
        raise UsageError(words("metrics.no_client")) from None
    return MetricsServer(parse_address(address), lambda: watcher.figures, lambda: observer.restarts,
                         lambda: watcher.last_turn, observer.alive)
