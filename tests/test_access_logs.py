"""The stages of `mynumber exposure` one by one: reading logs, recognising and parsing their formats, the line
filter (the fast one held to the plain one), local paths to URLs and request targets to paths, and clients and
crawlers told apart."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import random
from pathlib import Path

import pytest

from detector.access.clients import ClientClassifier, CrawlerMatcher, parse_networks
from detector.access.filtering import HyperscanFilter, RegexFilter, hyperscan_available
from detector.access.formats import JsonFormat, NcsaFormat, W3cFormat, recognise
from detector.access.reading import LineBlocks, open_log
from detector.access.urls import UrlIndex, UrlMapping, exposed_url, request_path
from detector.errors import UsageError
from detector.rules import load_rules

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "access"

# -- reading --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [lambda data: data, gzip.compress, bz2.compress],
                         ids=["plain", "gzip", "bzip2"])
def test_a_log_is_read_as_blocks_of_whole_lines_whatever_its_compression(tmp_path: Path, compress: object) -> None:
    lines = b"".join(b"line %d\n" % n for n in range(5000))
    path = tmp_path / "access.log.2"
    path.write_bytes(compress(lines))  # type: ignore[operator]
    with open_log(str(path)) as stream:
        blocks = list(LineBlocks(stream, str(path), block_bytes=1000))
    assert b"".join(blocks) == lines
    assert all(block.endswith(b"\n") for block in blocks)


def test_a_last_line_without_a_line_end_is_still_read() -> None:
    assert list(LineBlocks(io.BytesIO(b"a\nb"), "x", block_bytes=1)) == [b"a\n", b"b"]


def test_a_line_longer_than_the_limit_is_dropped_as_it_is_read_and_counted() -> None:
    data = b"before\n" + b"x" * 5000 + b"\nafter\n"
    reader = LineBlocks(io.BytesIO(data), "x", block_bytes=100, max_line_bytes=1000)
    assert b"".join(reader) == b"before\nafter\n"
    assert reader.overlong_lines == 1


def test_a_missing_log_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"nowhere\.log: cannot read the access log"):
        open_log(str(tmp_path / "nowhere.log"))


def test_a_damaged_gzip_log_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "access.log.2.gz"
    rng = random.Random(1)
    lines = b"".join(b"%x\n" % rng.getrandbits(64) for _ in range(10000))
    path.write_bytes(gzip.compress(lines)[:2000])
    damaged = r"access\.log\.2\.gz: the access log is damaged"
    with open_log(str(path)) as stream, pytest.raises(UsageError, match=damaged):
        list(LineBlocks(stream, str(path)))


# -- formats --------------------------------------------------------------------------------------------------------

COMBINED = (b'203.0.113.66 - - [03/Dec/2026:14:03:09 +0900] "GET /files/list.csv?x=1 HTTP/1.1" 206 10 "-" '
            b'"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"\n')


def test_a_combined_line_gives_client_time_target_status_size_and_agent() -> None:
    request = NcsaFormat().parse(COMBINED)
    assert request is not None
    assert request.client == "203.0.113.66"
    assert request.time == dt.datetime(2026, 12, 3, 5, 3, 9, tzinfo=dt.UTC)
    assert (request.target, request.status, request.size) == (b"/files/list.csv?x=1", 206, 10)
    assert "Googlebot" in request.agent


def test_a_common_line_has_no_agent_and_a_dash_for_no_bytes() -> None:
    request = NcsaFormat("common").parse(b'192.0.2.1 - alice [03/Dec/2026:14:03:09 +0000] "GET /a HTTP/1.0" 304 -\n')
    assert request is not None and (request.size, request.agent, request.status) == (None, "", 304)


def test_the_servers_escapes_in_a_request_line_are_undone() -> None:
    request = NcsaFormat().parse(b'192.0.2.1 - - [03/Dec/2026:14:03:09 +0000] "GET /a\\x22b\\xE5 HTTP/1.1" 200 1 '
                                 b'"-" "-"')
    assert request is not None and request.target == b'/a"b\xe5'


def test_w3c_lines_are_read_by_the_fields_directive_before_them_even_when_it_changes() -> None:
    w3c = W3cFormat()
    lines = (FIXTURES / "iis" / "u_ex261201.log").read_bytes().splitlines(keepends=True)
    requests = [request for line in lines if (request := w3c.parse(line)) is not None]
    assert len(requests) == 7
    assert requests[1].target == "/files/応募者一覧.txt".encode() and "bingbot/2.0;" in requests[1].agent
    assert requests[0].time == dt.datetime(2026, 12, 1, 0, 5, tzinfo=dt.UTC)
    assert requests[-2].size == 317 and requests[-2].client == "192.0.2.50"  # from the second #Fields


def test_json_lines_of_nginx_and_caddy_read_alike() -> None:
    nginx, caddy = (FIXTURES / "json" / "access.json").read_bytes().splitlines()[0:4:3]
    first, second = JsonFormat().parse(nginx), JsonFormat().parse(caddy)
    assert first is not None and second is not None
    assert (first.client, first.target, first.status, first.size) == ("203.0.113.80", b"/files/list.csv", 200, 317)
    assert first.time == dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
    assert (second.client, second.status, second.size) == ("198.51.100.9", 200, 408)
    assert second.target.startswith(b"/files/%E5") and "YandexBot" in second.agent


@pytest.mark.parametrize(("name", "expected"), [("nginx/access.log", "combined"), ("apache/access.log", "combined"),
                                                ("iis/u_ex261201.log", "w3c"), ("json/access.json", "json")])
def test_each_fixture_log_is_recognised(name: str, expected: str) -> None:
    lines = (FIXTURES / name).read_bytes().splitlines(keepends=True)
    found = recognise(lines, name)
    assert found is not None and found.name == expected


def test_a_log_of_common_lines_is_recognised_as_common() -> None:
    line = b'192.0.2.1 - - [03/Dec/2026:14:03:09 +0000] "GET /a HTTP/1.0" 200 5\n'
    found = recognise([line] * 3, "x")
    assert found is not None and found.name == "common"


def test_a_log_in_no_known_format_is_an_error_naming_it() -> None:
    with pytest.raises(UsageError, match=r"syslog\.txt: not an access log in a known format"):
        recognise([b"Dec  3 14:00:00 host sshd[1]: Accepted publickey for root\n"] * 10, "syslog.txt")


def test_an_empty_log_has_no_format_and_is_no_error() -> None:
    assert recognise([b"\n", b""], "empty.log") is None


# -- the line filter ---------------------------------------------------------------------------------------------------

def _filters(needles: set[bytes]) -> list[object]:
    return [RegexFilter(needles)] + ([HyperscanFilter(needles)] if hyperscan_available() else [])


def test_the_filter_gives_each_line_holding_a_needle_once_in_order_without_regard_to_case() -> None:
    block = b"a /files/LIST.csv b list.csv\nnothing here\nx /files/list.csv\nlast list.CSV"
    for line_filter in _filters({b"list.csv"}):
        assert list(line_filter.lines(block)) == [  # type: ignore[attr-defined]
            b"a /files/LIST.csv b list.csv\n", b"x /files/list.csv\n", b"last list.CSV"]


@pytest.mark.skipif(not hyperscan_available(), reason="hyperscan bindings not installed")
def test_the_fast_filter_picks_the_lines_the_plain_filter_picks() -> None:
    rng = random.Random(20)
    alphabet = b"abcdef/.%E5\n "
    needles = {b"abc", b"%e5/", b"f.d", b"/list.csv"}
    for _ in range(300):
        block = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        assert list(HyperscanFilter(needles).lines(block)) == list(RegexFilter(needles).lines(block))


def test_a_filter_without_needles_lets_nothing_through() -> None:
    for line_filter in _filters(set()):
        assert list(line_filter.lines(b"anything\n")) == []  # type: ignore[attr-defined]


# -- paths and URLs ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "path"), [
    (b"/files/list.csv?download=1#top", b"/files/list.csv"),
    (b"/files/%E5%BF%9C.txt", "/files/応.txt".encode()),
    (b"/files/%e5%bf%9c.txt", "/files/応.txt".encode()),
    (b"/img/../files/./list.csv", b"/files/list.csv"),
    (b"/../../../files//list.csv", b"/files/list.csv"),
    (b"/files/%00/../list.csv", b"/files/list.csv"),  # Apache served this one (fixtures/access/apache)
    (b"/files/%00list.csv", b"/files/\x00list.csv"),
    (b"https://example.jp/files/list.csv?x", b"/files/list.csv"),
    (b"", b"/"),
])
def test_a_request_target_is_the_decoded_path_the_server_resolves(target: bytes, path: bytes) -> None:
    assert request_path(target) == path


def test_a_public_file_is_at_the_url_of_the_longest_mapping_that_holds_it(tmp_path: Path) -> None:
    mappings = [UrlMapping.parse(f"{tmp_path}=https://example.jp/"),
                UrlMapping.parse(f"{tmp_path}/shop=https://shop.example.jp/store/")]
    url = exposed_url(str(tmp_path / "shop" / "名簿 2026.csv"), mappings)
    assert url is not None
    assert url.url == "https://shop.example.jp/store/%E5%90%8D%E7%B0%BF%202026.csv"
    assert url.paths == ("/store/名簿 2026.csv".encode(),)
    assert exposed_url("/elsewhere/x.csv", mappings) is None


def test_a_shift_jis_name_is_found_by_its_raw_bytes_and_by_the_utf8_of_its_reading(tmp_path: Path) -> None:
    name = "名簿.csv".encode("cp932").decode("utf-8", "surrogateescape")
    url = exposed_url(str(tmp_path / name), [UrlMapping.parse(f"{tmp_path}=/")])
    assert url is not None
    assert set(url.paths) == {b"/" + "名簿.csv".encode("cp932"), "/名簿.csv".encode()}
    index = UrlIndex([url])
    assert index.find(request_path(b"/%96%BC%95%EB.csv")) is url
    assert index.find(request_path(b"/%E5%90%8D%E7%B0%BF.csv")) is url


def test_a_name_the_scan_masked_is_matched_with_any_digits_and_shown_masked(tmp_path: Path) -> None:
    url = exposed_url(str(tmp_path / "scan_********9274.txt"), [UrlMapping.parse(f"{tmp_path}=https://example.jp")])
    assert url is not None and url.url == "https://example.jp/scan_********9274.txt"
    index = UrlIndex([url])
    assert index.find(b"/scan_809351989274.txt") is url
    assert index.find(b"/scan_80935198927x.txt") is None
    assert url.needles() == {b"9274.txt"}  # the longest part the mask left


def test_iis_names_match_without_regard_to_case_and_others_with(tmp_path: Path) -> None:
    url = exposed_url(str(tmp_path / "files" / "list.csv"), [UrlMapping.parse(f"{tmp_path}=/")])
    assert url is not None
    index = UrlIndex([url])
    assert index.find(b"/Files/LIST.CSV", caseless=True) is url
    assert index.find(b"/Files/LIST.CSV") is None


@pytest.mark.parametrize("text", ["/var/www", "=https://x/", "/var/www=https://x/?q=1"])
def test_a_bad_url_map_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="--url-map"):
        UrlMapping.parse(text)


# -- clients and crawlers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("client", "internal"), [
    ("10.1.2.3", True), ("172.16.5.5", True), ("192.168.0.9", True), ("127.0.0.1", True), ("169.254.1.1", True),
    ("100.64.0.1", True), ("::1", True), ("fd00::5", True), ("fe80::1%eth0", True), ("::ffff:192.168.1.1", True),
    ("203.0.113.66", False), ("192.0.2.10", False), ("2001:db8::77", False), ("::ffff:203.0.113.1", False),
    ("8.8.8.8", False), ("-", False), ("crawl-66-249-66-1.googlebot.com", False),
])
def test_private_loopback_and_link_local_addresses_are_internal_and_the_rest_external(client: str,
                                                                                      internal: bool) -> None:
    assert ClientClassifier().is_internal(client) is internal


def test_internal_networks_given_make_their_addresses_internal_in_both_families() -> None:
    classifier = ClientClassifier(parse_networks(["203.0.113.0/24", "2001:db8::/32"]))
    assert classifier.is_internal("203.0.113.66") and classifier.is_internal("2001:db8::77")
    assert not classifier.is_internal("198.51.100.1")


def test_a_bad_internal_network_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--internal"):
        parse_networks(["10.0.0.0/33"])


@pytest.mark.parametrize(("agent", "name"), [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot"),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot"),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", "Baiduspider"),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", "YandexBot"),
    ("curl/8.4.0", None),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0", None),
])
def test_crawlers_are_told_by_the_user_agent_from_the_rules(agent: str, name: str | None) -> None:
    crawler = CrawlerMatcher(load_rules().crawlers).crawler_of(agent)
    assert (crawler.name if crawler else None) == name


def test_a_rules_folder_can_add_and_remove_crawlers(tmp_path: Path) -> None:
    (tmp_path / "crawlers.toml").write_text('schema = 1\n[[crawler]]\nid = "mybot"\nname = "MyBot"\n'
                                            'agents = ["MyBot/"]\nsearch_index = false\n'
                                            '[[crawler]]\nid = "googlebot"\nenabled = false\n', encoding="utf-8")
    matcher = CrawlerMatcher(load_rules([tmp_path]).crawlers)
    found = matcher.crawler_of("MyBot/1.0")
    assert found is not None and found.name == "MyBot" and not found.search_index
    assert matcher.crawler_of("Googlebot/2.1") is None


def test_a_name_with_a_line_end_is_looked_for_only_percent_encoded(tmp_path: Path) -> None:
    url = exposed_url(str(tmp_path / "a\nb.csv"), [UrlMapping.parse(f"{tmp_path}=/")])
    assert url is not None and url.needles() == {b"a%0Ab.csv"}
    assert UrlIndex([url]).find(request_path(b"/a%0ab.csv")) is url
