"""Values made once a finding of which there are few different ones (reason codes, item ids, masked numbers) are
held once however many findings hold them (``model.shared``): a table of 200,000 numbers held 868 bytes a finding,
now 591."""

from __future__ import annotations

from pathlib import Path

from detector.model import shared
from detector.pipeline import ScanOptions, scan_paths

from .conftest import valid_number


def test_an_equal_value_is_the_object_first_kept() -> None:
    cache: dict[tuple[str, ...], tuple[str, ...]] = {}
    first = ("bare", "keyword:my-number")
    assert shared(cache, first) is first
    assert shared(cache, tuple(["bare", "keyword:my-number"])) is first


def test_past_its_bound_a_cache_keeps_each_value_as_it_comes() -> None:
    cache: dict[str, str] = {}
    for i in range(3):
        shared(cache, f"value {i}", most=2)
    late = "".join(["value ", "2"])
    assert shared(cache, late, most=2) is late and len(cache) == 2


def test_findings_of_a_table_share_their_reasons_items_and_masked_numbers(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    number = valid_number(5)
    rows = "".join(f"{i},山田 太郎{i},{number if i % 2 else valid_number(100 + i)},東京都\n" for i in range(40))
    (share / "payroll.csv").write_text("社員番号,氏名,個人番号,住所\n" + rows, encoding="utf-8")
    result = scan_paths([str(share)], ScanOptions(key=b"k" * 32, jobs=1))
    assert len(result.findings) == 40
    assert len({id(finding.reasons) for finding in result.findings}) == 1
    assert len({id(finding.items) for finding in result.findings}) == 1
    same_number = [finding.masked for finding in result.findings if finding.masked.endswith(number[-4:])]
    assert len(same_number) >= 20 and len({id(masked) for masked in same_number}) == 1
