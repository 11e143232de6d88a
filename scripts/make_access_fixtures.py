#!/usr/bin/env python3
"""Make fixtures/access/{nginx,apache}/ from the real servers: run nginx and Apache (Debian's nginx-light or nginx,
and apache2) on loopback ports over a small web root, fetch exposed and other files with several user agents
(Googlebot, bingbot, curl, a browser), a range request (206), a conditional one (304), a missing file (404) and
hostile targets (%00, ../), and copy what each server logged, in its combined format, into the fixtures.

Clients are given outside addresses the way a reverse proxy gives them: each request carries X-Forwarded-For
and the servers take it from 127.0.0.1 only (nginx's realip module, Apache's mod_remoteip), so the logs hold the
documentation addresses 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 as outside clients, 10.1.2.3 as an
inside one, and 127.0.0.1 where no header is sent.

    python scripts/make_access_fixtures.py        # needs nginx and apache2: apt-get install nginx-light apache2

The web root mirrors fixtures/access/webroot (the files the tests' scan finds); the fixtures are small and
checked in, so the tests never need the servers.
"""

from __future__ import annotations

import email.utils
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEBROOT = ROOT / "fixtures" / "access" / "webroot"
OUT = ROOT / "fixtures" / "access"

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BINGBOT = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
CURL = "curl/7.88.1"
EXPOSED = "/files/" + urllib.parse.quote("応募者一覧.txt")
EXPOSED_CSV = "/files/list.csv"

# (target, user agent, client address or None, extra headers); the order the logs will show.
REQUESTS: list[tuple[str, str, str | None, dict[str, str]]] = [
    ("/index.html", BROWSER, "198.51.100.20", {}),
    (EXPOSED, GOOGLEBOT, "203.0.113.66", {}),
    (EXPOSED_CSV, BINGBOT, "198.51.100.77", {}),
    (EXPOSED.lower(), CURL, "192.0.2.10", {}),  # the percent-encoding in lower case
    (EXPOSED, BROWSER, "192.0.2.11", {"Range": "bytes=0-9"}),  # 206
    (EXPOSED + "?download=1", BROWSER, "192.0.2.11", {"If-Modified-Since": "MTIME"}),  # 304
    (EXPOSED_CSV, CURL, "10.1.2.3", {}),  # inside the organisation
    (EXPOSED_CSV, CURL, None, {}),  # loopback
    ("/files/missing.csv", CURL, "192.0.2.12", {}),  # 404
    ("/files/%00/../list.csv", CURL, "192.0.2.13", {}),  # a NUL: refused by the server
    ("/img/../files/list.csv", BROWSER, "192.0.2.14", {}),  # dot segments: the server resolves them
    ("/css/site.css", BROWSER, "198.51.100.20", {}),
    ("/files/scan_809351989274.txt", "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
     "2001:db8::77", {}),  # a file named with a number (the scan knows it masked); an IPv6 client
    ("/files/list.csv", CURL, "fd00::5", {}),  # an IPv6 unique local address: inside
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int) -> None:
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not start")


def fetch_all(port: int, last_modified: float) -> None:
    for target, agent, client, headers in REQUESTS:
        sent = dict(headers, **{"User-Agent": agent})
        if client is not None:
            sent["X-Forwarded-For"] = client
        if sent.get("If-Modified-Since") == "MTIME":
            sent["If-Modified-Since"] = email.utils.formatdate(last_modified, usegmt=True)
        request = urllib.request.Request(f"http://127.0.0.1:{port}{target}", headers=sent)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            exc.read()
        except OSError:
            pass  # a target the server refuses outright still leaves its line
        time.sleep(0.05)


def make_webroot(where: Path) -> Path:
    root = where / "www"
    shutil.copytree(WEBROOT, root)
    (root / "index.html").write_text("<h1>ok</h1>\n")
    (root / "css").mkdir()
    (root / "css" / "site.css").write_text("body{}\n")
    (root / "img").mkdir()
    os.system(f"chmod -R a+rX {where}")
    return root


def run_nginx(work: Path, root: Path) -> str:
    port = free_port()
    log = work / "nginx-access.log"
    conf = work / "nginx.conf"
    conf.write_text(f"""
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
user root;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    access_log {log} combined;
    set_real_ip_from 127.0.0.1;
    real_ip_header X-Forwarded-For;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
""")
    return serve_and_fetch(subprocess.Popen(["nginx", "-c", str(conf), "-g", "daemon off;"]), port, root, log)


def run_apache(work: Path, root: Path) -> str:
    port = free_port()
    log = work / "apache-access.log"
    conf = work / "apache.conf"
    modules = "/usr/lib/apache2/modules"
    conf.write_text(f"""
ServerRoot {work}
ServerName localhost
Listen 127.0.0.1:{port}
PidFile {work}/apache.pid
ErrorLog {work}/apache-error.log
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule remoteip_module {modules}/mod_remoteip.so
TypesConfig /etc/mime.types
User www-data
Group www-data
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1
LogFormat "%a %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
CustomLog {log} combined
DocumentRoot {root}
<Directory {root}>
    Require all granted
</Directory>
""")
    server = subprocess.Popen(["apache2", "-f", str(conf), "-DFOREGROUND"],
                              env=dict(os.environ, APACHE_RUN_DIR=str(work), APACHE_LOG_DIR=str(work)))
    return serve_and_fetch(server, port, root, log)


def serve_and_fetch(server: subprocess.Popen[bytes], port: int, root: Path, log: Path) -> str:
    """The requests made to a started server, then the server stopped and its access log read."""
    try:
        wait_for(port)
        fetch_all(port, (root / "files" / "list.csv").stat().st_mtime)
    finally:
        server.terminate()
        server.wait(10)
    return log.read_text(encoding="utf-8", errors="surrogateescape")


def main() -> int:
    missing = [name for name in ("nginx", "apache2") if shutil.which(name) is None]
    if missing:
        print(f"needs {', '.join(missing)}: apt-get install nginx-light apache2", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        os.chmod(work, 0o755)
        root = make_webroot(work)
        for name, run in (("nginx", run_nginx), ("apache", run_apache)):
            text = run(work, root)
            target = OUT / name / "access.log"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogateescape")
            print(f"{target.relative_to(ROOT)}: {len(text.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
