"""``--public PATH`` decides 規則第2条第3号 (a number where people outside can see it), so a path that does not
exist, or that no root scanned reaches, is an error naming it (exit 2), never a silent no-op, for scan and watch."""

from __future__ import annotations

from pathlib import Path

import pytest

from detector.errors import UsageError
from detector.locations import check_public_paths
from detector.model import ScanOptions
from detector.pipeline import scan_paths

from .test_cli import people_csv, run


def share(tmp_path: Path) -> None:
    people_csv(tmp_path / "share" / "www" / "a.csv", 1)
    people_csv(tmp_path / "share" / "internal" / "b.csv", 1, seed=3)
    (tmp_path / "elsewhere").mkdir()


def test_a_mistyped_public_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    share(tmp_path)
    done = run(["scan", "--public", "share/ww", "share"], tmp_path)
    assert done.returncode == 2
    assert "--public share/ww: no such file or folder" in done.stderr
    assert done.stdout == ""


def test_a_public_folder_under_no_root_scanned_is_an_error(tmp_path: Path) -> None:
    share(tmp_path)
    done = run(["scan", "--public", "elsewhere", "share"], tmp_path)
    assert done.returncode == 2 and "--public elsewhere: not under any folder scanned" in done.stderr


def test_a_public_folder_under_a_root_or_above_one_is_accepted(tmp_path: Path) -> None:
    share(tmp_path)
    under = run(["scan", "--public", "share/www", "share"], tmp_path)
    assert under.returncode == 3, under.stderr  # one person in a folder declared public: reportable
    above = run(["scan", "--public", "share", "share/www"], tmp_path)
    assert above.returncode == 3, above.stderr


def test_the_output_file_is_not_left_behind_by_the_error(tmp_path: Path) -> None:
    share(tmp_path)
    done = run(["scan", "--public", "share/ww", "--format", "json", "-o", "scan.json", "share"], tmp_path)
    assert done.returncode == 2 and not (tmp_path / "scan.json").exists()


def test_watch_refuses_a_mistyped_public_folder_before_it_starts(tmp_path: Path) -> None:
    share(tmp_path)
    done = run(["watch", "--public", "share/ww", "share"], tmp_path, timeout=30)
    assert done.returncode == 2 and "--public share/ww: no such file or folder" in done.stderr
    done = run(["watch", "--public", "elsewhere", "share"], tmp_path, timeout=30)
    assert done.returncode == 2 and "--public elsewhere: not under any folder scanned" in done.stderr


def test_the_library_refuses_it_too(tmp_path: Path) -> None:
    share(tmp_path)
    with pytest.raises(UsageError, match=r"--public .*/share/ww: no such file or folder"):
        scan_paths([str(tmp_path / "share")], ScanOptions(key=b"k", jobs=1,
                                                          public_paths=(str(tmp_path / "share" / "ww"),)))


def test_a_link_to_a_root_counts_as_that_root(tmp_path: Path) -> None:
    share(tmp_path)
    (tmp_path / "published").symlink_to(tmp_path / "share" / "www")
    check_public_paths([str(tmp_path / "published")], [str(tmp_path / "share")])
    with pytest.raises(UsageError):
        check_public_paths([str(tmp_path / "share")], ["-"])  # standard input is under no folder
