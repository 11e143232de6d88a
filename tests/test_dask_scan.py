"""``scan --dask``: a scan whose files are read by the workers of a Dask cluster gives the document a local scan
gives (findings, people, unscanned entries, exit status; only the times and the scan's id differ), with a state
file, when a worker dies mid-scan, under another mount point; a worker with another key refuses, naming itself.

The cluster is Dask's own ``LocalCluster`` with worker processes, each given the key in MYNUMBER_KEY as a
worker host would be (docs/scale.md)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detector import pipeline
from detector.model import ScanOptions
from detector.pipeline import Scanned, scan_paths

from .conftest import valid_number

distributed = pytest.importorskip("distributed")

from detector.dask_scan import DaskRunner, PathMap, Paths, WorkerRefused  # noqa: E402

KEY = "dask-test-key"
ROOT = Path(__file__).resolve().parent.parent


def start_cluster() -> Any:
    """Two worker processes of one thread, each with the scan's key in its environment."""
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                    env={"MYNUMBER_KEY": KEY})


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with start_cluster() as running:
        yield running


@pytest.fixture
def runner(cluster: Any) -> Iterator[DaskRunner]:
    with DaskRunner(cluster.scheduler_address) as connected:
        yield connected


def options(**more: Any) -> ScanOptions:
    return ScanOptions(key=KEY.encode(), jobs=1, **more)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A result document without what differs between any two scans of the same files: the times and the id."""
    scan = {name: value for name, value in document["scan"].items()
            if name not in {"started", "finished", "duration_seconds", "scan_id"}}
    return {**document, "scan": scan}


def small_file_tree(root: Path, folders: int = 12, per_folder: int = 150) -> Path:
    """Folders of small files as a share holds them: memos, a number beside its keyword in one file of 37, a CSV
    under a 個人番号 header, CP932 text, a zip, a damaged workbook, a file and a folder named with a number."""
    for folder in range(folders):
        place = root / f"dept{folder:02}"
        place.mkdir(parents=True)
        for index in range(per_folder):
            seed = folder * 1000 + index
            if index % 37 == 0:
                (place / f"memo{index:03}.txt").write_text(f"個人番号 {valid_number(seed)}\n", encoding="utf-8")
            elif index % 53 == 0:
                (place / f"list{index:03}.csv").write_text(f"氏名,個人番号\n山田,{valid_number(seed)}\n",
                                                          encoding="utf-8")
            elif index % 41 == 0:
                (place / f"sjis{index:03}.txt").write_bytes(f"マイナンバー:{valid_number(seed)}\n".encode("cp932"))
            else:
                (place / f"note{index:03}.log").write_text(f"job {seed} finished in {index} ms\n", encoding="utf-8")
    with zipfile.ZipFile(root / "dept00" / "archive.zip", "w") as archive:
        archive.writestr("2024/給与.csv", f"個人番号\n{valid_number(7)}\n")
    (root / "dept01" / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (root / "dept02" / f"給与_{valid_number(8)}.txt").write_text("memo\n", encoding="utf-8")
    (root / "dept03" / valid_number(9)).mkdir()
    return root


def test_a_dask_scan_of_the_fixtures_is_the_local_scan(runner: DaskRunner) -> None:
    roots = [str(ROOT / "fixtures")]
    local = scan_paths(roots, options())
    remote = scan_paths(roots, options(), runner=runner)
    assert remote.findings and remote.unscanned
    assert comparable(remote.to_json()) == comparable(local.to_json())
    assert remote.exit_status == local.exit_status


def test_a_dask_scan_of_many_small_files_is_the_local_scan(runner: DaskRunner, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative roots and a relative --public: the workers are given absolute paths (their working folder is not
    the client's), and the results come back under the paths a local scan reports, public reasons included."""
    small_file_tree(tmp_path / "share")
    monkeypatch.chdir(tmp_path)
    scan_options = options(public_paths=("share/dept03",))
    local = scan_paths(["share"], scan_options)
    remote = scan_paths(["share"], scan_options, runner=runner)
    assert remote.files_scanned > 1800 and any(finding.public for finding in remote.findings)
    assert comparable(remote.to_json()) == comparable(local.to_json())


def test_one_folder_given_as_two_roots_is_reported_twice_as_locally(runner: DaskRunner,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``share`` and ``./share`` are one path to the workers, which read absolute paths, yet two to a local scan."""
    monkeypatch.chdir(ROOT / "fixtures")
    roots = ["share", "./share"]
    remote = scan_paths(roots, options(), runner=runner)
    assert comparable(remote.to_json()) == comparable(scan_paths(roots, options()).to_json())
    assert {finding.path.split("/")[0] for finding in remote.findings} == {"share", "."}


class RecordingRunner:
    """A runner around another that notes every path it is given to read."""

    def __init__(self, inner: DaskRunner) -> None:
        self.inner = inner
        self.paths: list[str] = []

    def may_fork(self) -> bool:
        return self.inner.may_fork()

    def split_bytes(self) -> int | None:
        return self.inner.split_bytes()

    def scan(self, batches: Iterator[list[str]], scanner: Any, listed: bool) -> Iterator[Scanned]:
        def noted() -> Iterator[list[str]]:
            for batch in batches:
                self.paths.extend(batch)
                yield batch

        return self.inner.scan(noted(), scanner, listed)


def test_with_a_state_file_the_client_decides_what_the_workers_read(runner: DaskRunner, tmp_path: Path) -> None:
    share = small_file_tree(tmp_path / "share", folders=4, per_folder=50)
    roots = [str(share)]
    recording = RecordingRunner(runner)
    first = scan_paths(roots, options(state_path=str(tmp_path / "dask.db")), runner=recording)
    assert comparable(first.to_json()) == comparable(scan_paths(roots, options(state_path=str(tmp_path / "local.db")))
                                                     .to_json())
    assert sorted(recording.paths) == sorted(str(path) for path in share.rglob("*") if path.is_file())

    changed = share / "dept01" / "note001.log"
    changed.write_text(f"個人番号 {valid_number(4242)}\n", encoding="utf-8")
    added = share / "dept02" / "new.txt"
    added.write_text(f"マイナンバー {valid_number(4343)}\n", encoding="utf-8")
    recording.paths.clear()
    second = scan_paths(roots, options(state_path=str(tmp_path / "dask.db")), runner=recording)
    assert sorted(recording.paths) == sorted([str(changed), str(added)])
    again = scan_paths(roots, options(state_path=str(tmp_path / "local.db")))
    assert comparable(second.to_json()) == comparable(again.to_json())
    assert {str(changed), str(added)} <= {finding.path for finding in second.findings}


def test_a_worker_killed_mid_scan_loses_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker busiest when the first batch comes back is killed (SIGKILL, its process gone): Dask runs its
    batches again on the other worker and on the one its nanny starts, and the result is the local scan's."""
    roots = [str(small_file_tree(tmp_path / "share", folders=16, per_folder=100))]
    monkeypatch.setattr(pipeline, "BATCH_FILES", 20)  # 80 batches: most of them still to run at the kill
    expected = comparable(scan_paths(roots, options()).to_json())
    killed: list[str] = []
    with start_cluster() as cluster, DaskRunner(cluster.scheduler_address) as runner:
        pids = runner.client.run(os.getpid)

        def kill_a_busy_worker(_files: int, _bytes: int, _findings: int) -> None:
            busy = [address for address, keys in runner.client.processing().items() if keys]
            if not killed and busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])

        result = scan_paths(roots, options(), progress=kill_a_busy_worker, runner=runner)
        assert killed and killed[0] not in runner.client.run(os.getpid)  # that worker is gone
    assert comparable(result.to_json()) == expected


def die_on_the_worker(*_task: object) -> None:
    """A batch that crashes its reader the hard way: the worker process ends, as a segfault in a native library
    would end it (no exception for Dask to carry back)."""
    os._exit(70)


def test_a_batch_that_kills_every_worker_that_takes_it_stops_the_scan(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Dask runs a dead worker's batch again, up to ``distributed.scheduler.allowed-failures`` times (1 here: the
    batch kills two workers in turn); then it gives the batch up, and the scan stops with status 4 and one message
    in the user's language, not a traceback nor a scan that waits for ever."""
    import dask

    from detector import dask_scan
    from detector.errors import EXIT_FAILED, ScanError

    (tmp_path / "memo.txt").write_text(f"個人番号 {valid_number(1)}\n", encoding="utf-8")
    monkeypatch.setattr(dask_scan, "scan_on_worker", die_on_the_worker)
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), start_cluster() as cluster, \
            DaskRunner(cluster.scheduler_address) as runner, pytest.raises(ScanError) as stopped:
        scan_paths([str(tmp_path)], options(), runner=runner)
    assert stopped.value.exit_status == EXIT_FAILED
    assert str(stopped.value).startswith("Dask gave a batch up: each worker that took it died")
    assert stopped.value.localized("ja").startswith("Dask がバッチを諦めました")


def test_over_tls_the_scan_is_the_same() -> None:
    """The scheduler link as docs/scale.md sets it up on hosts: tls:// with certificates (Dask's temporary ones)."""
    security = distributed.Security.temporary()
    roots = [str(ROOT / "fixtures" / "share")]
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  protocol="tls://", security=security, env={"MYNUMBER_KEY": KEY}) as cluster, \
            DaskRunner(cluster.scheduler_address, security=security) as runner:
        assert cluster.scheduler_address.startswith("tls://")
        remote = scan_paths(roots, options(), runner=runner)
    assert comparable(remote.to_json()) == comparable(scan_paths(roots, options()).to_json())


def test_a_worker_with_another_key_refuses_naming_itself_never_a_key(runner: DaskRunner, tmp_path: Path) -> None:
    (tmp_path / "memo.txt").write_text(f"個人番号 {valid_number(1)}\n", encoding="utf-8")
    with pytest.raises(WorkerRefused) as refused:
        scan_paths([str(tmp_path)], ScanOptions(key=b"the client's own key", jobs=1), runner=runner)
    message = str(refused.value)
    assert "Dask worker tcp://127.0.0.1:" in message and "fingerprint key" in message
    assert KEY not in message and "the client's own key" not in message
    in_japanese = refused.value.localized("ja")  # both workers' refusals, each in the user's language
    assert in_japanese.count("はスキャンを拒否しました") == 2 and "指紋の鍵" in in_japanese and KEY not in in_japanese


def test_a_worker_running_another_version_refuses(runner: DaskRunner, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import detector.dask_scan

    monkeypatch.setattr(detector.dask_scan, "__version__", "0.0.0-client")  # the client's, sent with the scan
    (tmp_path / "memo.txt").write_text("memo\n", encoding="utf-8")
    with pytest.raises(WorkerRefused, match=r"Dask worker tcp://127\.0\.0\.1:\d+ refuses to scan: it runs mynumber "
                                            r"\S+, the client 0\.0\.0-client"):
        scan_paths([str(tmp_path)], options(), runner=runner)


def test_the_workers_see_the_share_under_their_mount_point(runner: DaskRunner, tmp_path: Path) -> None:
    """``--path-map``: the workers read /mnt (here a copy), the results name the client's paths; a file the
    workers cannot see there is listed as not scanned under the client's path, which shows where they read."""
    share = small_file_tree(tmp_path / "share", folders=4, per_folder=30)
    mounted = tmp_path / "mnt" / "share"
    shutil.copytree(share, mounted)
    missing = share / "dept00" / "memo000.txt"
    (mounted / "dept00" / "memo000.txt").unlink()
    local = scan_paths([str(share)], options())
    with DaskRunner(runner.address, PathMap.parse([f"{share}={mounted}"])) as mapped:
        remote = scan_paths([str(share)], options(), runner=mapped)
    assert {finding.path for finding in remote.findings} == {finding.path for finding in local.findings} - {
        str(missing)}
    assert [entry.path for entry in remote.unscanned if entry.path == str(missing)] == [str(missing)]
    assert not any(str(mounted) in finding.path for finding in remote.findings)


def test_path_maps_take_the_longest_prefix_and_leave_other_paths_absolute(tmp_path: Path) -> None:
    paths = PathMap.parse(["/srv=/mnt/srv", "/srv/share=/mnt/nas", "/=/host"])
    assert paths.remote("/srv/share/a/b.txt") == "/mnt/nas/a/b.txt"
    assert paths.remote("/srv/share") == "/mnt/nas"
    assert paths.remote("/srv/sharepoint/x") == "/mnt/srv/sharepoint/x"
    assert paths.remote("/etc/hosts") == "/host/etc/hosts"
    assert PathMap().remote("relative/x") == os.path.abspath("relative/x")


@pytest.mark.parametrize("spec", ["/srv", "=/mnt", "/srv=relative"])
def test_a_malformed_path_map_is_a_usage_error_naming_it(spec: str) -> None:
    from detector.errors import UsageError

    with pytest.raises(UsageError, match=f"--path-map {spec}:"):
        PathMap.parse([spec])


def test_a_batch_shows_on_the_dashboard_as_its_count_of_paths() -> None:
    """Task arguments are shown by their repr, and a name may hold a number."""
    assert repr(Paths([f"/srv/給与_{valid_number(1)}.csv", "/srv/b.txt"])) == "<2 paths>"


def test_the_library_entry_scans_on_dask_too(cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import detector

    monkeypatch.setenv("MYNUMBER_KEY", KEY)
    local = detector.scan(ROOT / "fixtures" / "share")
    remote = detector.scan(ROOT / "fixtures" / "share", dask=cluster.scheduler_address)
    assert remote.findings and comparable(remote.to_json()) == comparable(local.to_json())


# -- the command line ----------------------------------------------------------------------------------------------


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "MYNUMBER_KEY": KEY, **(env or {})}, timeout=240)


def test_the_command_line_gives_the_local_document_and_status(cluster: Any, tmp_path: Path) -> None:
    local = run("scan", "fixtures", "--format", "json", "-o", str(tmp_path / "local.json"))
    remote = run("scan", "--dask", cluster.scheduler_address, "fixtures", "--format", "json", "-o",
                 str(tmp_path / "dask.json"))
    assert remote.returncode == local.returncode, remote.stderr
    documents = [json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("local.json", "dask.json")]
    assert comparable(documents[1]) == comparable(documents[0])


def test_an_unreachable_scheduler_is_one_line_naming_it_and_status_4() -> None:
    done = run("scan", "--dask", "tcp://127.0.0.1:9", "fixtures",
               env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert done.returncode == 4
    assert "tcp://127.0.0.1:9" in done.stderr and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr


def test_a_mismatched_key_stops_the_command_with_status_4(cluster: Any) -> None:
    done = run("scan", "--dask", cluster.scheduler_address, "fixtures", env={"MYNUMBER_KEY": "another key"})
    assert done.returncode == 4 and "refuses to scan" in done.stderr and "another key" not in done.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--dask", "tcp://127.0.0.1:9", "--reveal", "-o", "out.json"], "--reveal cannot be used with --dask"),
    (["--path-map", "/srv=/mnt"], "--path-map maps folders for the workers of --dask"),
])
def test_options_that_cannot_work_with_dask_are_usage_errors(args: list[str], says: str) -> None:
    done = run("scan", *args, "fixtures", env={"LANG": "C"})
    assert done.returncode == 2 and says in done.stderr
