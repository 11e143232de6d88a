"""The Dockerfile, read as a reviewer would (scripts/check_dockerfile.sh builds and runs it where a Docker daemon
answers): a Debian slim base, no script piped from the network into a shell, a non-root user, the Debian packages
scripts/setup.sh installs, a default command that scans the bundled sample share, and a proxy's CA that reaches
the build stage as a secret alone while the image installs its wheels without an index."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
# Installed by `setup.sh --browser` for the tests alone (the HTML report in chromium, glyphs for its screenshot).
TEST_ONLY_PACKAGES = {"chromium", "fonts-noto-cjk", "apache2-bin"}  # setup.sh --browser: the tests' own tools
# setup.sh needs a Python 3.11+ and finds one; the image installs Debian's, with its venv module.
INTERPRETER_PACKAGES = {"python3", "python3-venv"}


class Instruction(NamedTuple):
    name: str
    argument: str


def _stages() -> list[list[Instruction]]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped, one list per FROM."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages: list[list[Instruction]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, argument = line.partition(" ")
        if name.upper() == "FROM":
            stages.append([])
        assert stages, f"an instruction before FROM: {line}"
        stages[-1].append(Instruction(name.upper(), argument.strip()))
    return stages


def _apt_packages(stage: list[Instruction]) -> set[str]:
    packages: set[str] = set()
    for instruction in stage:
        if instruction.name != "RUN":
            continue
        for command in re.split(r"&&|;", instruction.argument):
            words = shlex.split(command)
            if "apt-get" in words and "install" in words:
                packages.update(word for word in words[words.index("install") + 1:] if not word.startswith("-"))
    return packages


def _setup_packages() -> set[str]:
    """Every Debian package scripts/setup.sh may install (``packages+=(NAME)``)."""
    text = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    return set(re.findall(r"packages\+=\(([\w.+-]+)\)", text))


def test_every_stage_starts_from_a_debian_slim_image() -> None:
    for stage in _stages():
        assert re.fullmatch(r"debian:[a-z]+-slim( AS \w+)?", stage[0].argument, re.IGNORECASE), stage[0]


def test_nothing_is_piped_from_the_network_into_a_shell() -> None:
    for stage in _stages():
        for instruction in stage:
            assert not re.search(r"\b(curl|wget)\b[^&;]*\|\s*(ba|da)?sh\b", instruction.argument), instruction
            assert instruction.name != "ADD", "ADD fetches URLs and unpacks archives: COPY says what it does"


def test_the_image_runs_as_a_user_that_is_not_root() -> None:
    users = [instruction.argument for instruction in _stages()[-1] if instruction.name == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_the_image_installs_the_debian_packages_setup_sh_installs_for_a_scan() -> None:
    *builds, image = _stages()
    wanted = _setup_packages() - TEST_ONLY_PACKAGES
    build_only = {"python3-dev"}  # the headers of the C speed-ups: the wheel is compiled in a build stage
    # libarchive13 was renamed libarchive13t64 in Debian 13: setup.sh asks for whichever the release has.
    release = image[0].argument.split(":")[1].split("-")[0]
    wanted -= {"libarchive13t64"} if release == "bookworm" else {"libarchive13"}
    assert _apt_packages(image) - INTERPRETER_PACKAGES == wanted - build_only
    assert build_only <= set().union(*map(_apt_packages, builds))


def test_apt_keeps_no_lists_nor_recommended_packages() -> None:
    for stage in _stages():
        for instruction in stage:
            if "apt-get install" in instruction.argument:
                assert "--no-install-recommends" in instruction.argument
                assert "rm -rf /var/lib/apt/lists/*" in instruction.argument


def test_the_default_command_scans_the_bundled_sample_share() -> None:
    image = _stages()[-1]
    command = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    entry = [shlex.split(i.argument.strip("[]").replace(",", " ")) for i in image if i.name == "ENTRYPOINT"]
    default = [shlex.split(i.argument.strip("[]").replace(",", " ")) for i in image if i.name == "CMD"]
    copies = dict(i.argument.split() for i in image if i.name == "COPY" and not i.argument.startswith("--"))
    assert entry == [[*command]] and default[-1][0] == "scan"
    assert copies["fixtures/share"] == default[-1][1]


def test_what_the_build_copies_exists_and_what_it_must_not_copy_is_ignored() -> None:
    for stage in _stages():
        for instruction in stage:
            if instruction.name == "COPY" and not instruction.argument.startswith("--"):
                *sources, _ = instruction.argument.split()
                assert all((ROOT / source).exists() for source in sources), instruction
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "build"} <= set(ignored)


def _mounts(instruction: Instruction) -> list[dict[str, str]]:
    """The ``--mount=`` options of a RUN, each as its key=value fields."""
    return [
        dict(field.partition("=")[::2] for field in word.removeprefix("--mount=").split(","))
        for word in shlex.split(instruction.argument)
        if word.startswith("--mount=")
    ]


def test_a_proxy_ca_reaches_the_build_stage_as_an_optional_secret_and_never_the_image() -> None:
    *builds, image = _stages()
    secrets = [mount for stage in builds for i in stage if i.name == "RUN" for mount in _mounts(i)
               if mount["type"] == "secret"]
    assert secrets == [{"type": "secret", "id": "ca"}], "one optional secret: a build without it still works"
    for instruction in image:
        assert all(mount["type"] != "secret" for mount in _mounts(instruction) if instruction.name == "RUN")
    for stage in _stages():
        for instruction in stage:
            # A build argument or ENV would be kept in the image's history; a copied CA file in a layer.
            assert instruction.name not in ("ARG", "ENV") or not re.search(r"CERT|CA_BUNDLE", instruction.argument)
            assert instruction.name != "COPY" or not re.search(r"\.(crt|pem)\b", instruction.argument)


def test_the_image_installs_the_build_stage_wheels_without_an_index_and_keeps_none() -> None:
    *builds, image = _stages()
    stage_name = builds[-1][0].argument.split()[-1]
    installs = [i for i in image if i.name == "RUN" and "pip install" in i.argument]
    assert len(installs) == 1 and "--no-index" in installs[0].argument
    wheels = [mount for mount in _mounts(installs[0]) if mount.get("from") == stage_name]
    assert wheels and wheels[0]["type"] == "bind", "a bind mount: a COPY --from would keep the wheels in a layer"
    assert not [i for i in image if i.name == "COPY" and i.argument.startswith("--from")]


def test_the_check_script_hands_the_build_the_dockerfile_s_secret() -> None:
    script = (ROOT / "scripts" / "check_dockerfile.sh").read_text(encoding="utf-8")
    assert re.search(r'--secret "id=ca,src=\$ca"', script)
