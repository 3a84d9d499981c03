"""Static checks of voice_runtime/Dockerfile (build context = the repository root).

No Docker daemon is needed: the Dockerfile is parsed and checked for what a
build and a Cloud Run start need: every COPY source is in the build context as
BuildKit sends it (the repository's files filtered by the Dockerfile's own ignore
file, voice_runtime/Dockerfile.dockerignore), the final stage runs as a non-root
user, nothing is downloaded when the container starts, the server listens on
$PORT, and dev-only code (demos, test clients, benchmarks) stays out of the image.
With Docker present, VOICE_DOCKER_BUILD=1 also runs the real build.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "voice_runtime" / "Dockerfile"

# Commands that fetch something from the network.
DOWNLOADERS = re.compile(
    r"\b(curl|wget|pip3? install|uv pip install|apt-get|apk add|git clone|npm (install|ci)"
    r"|huggingface-cli|snapshot_download|hf_hub_download)\b"
)
ROOT_USERS = {"root", "0"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    line: int


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions in order, continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comments inside a continued instruction are dropped by Docker too
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        pending += stripped
        keyword, _, args = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
        pending = ""
    if pending:
        keyword, _, args = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), args.strip(), start))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    starts = [i for i, instruction in enumerate(instructions) if instruction.keyword == "FROM"]
    assert starts, "a Dockerfile needs a FROM"
    return instructions[starts[-1] :]


def exec_or_shell_words(args: str) -> list[str]:
    """Words of an instruction's arguments, in exec (JSON array) or shell form."""
    if args.startswith("["):
        return [str(word) for word in json.loads(args)]
    return shlex.split(args, posix=True)


def copy_sources(instruction: Instruction) -> list[str]:
    """Context paths a COPY/ADD reads; none for --from (another stage or image) or URLs."""
    words = exec_or_shell_words(instruction.args)
    flags = [word for word in words if word.startswith("--")]
    paths = [word for word in words if not word.startswith("--")]
    if any(flag.startswith("--from") for flag in flags):
        return []
    if len(paths) < 2:
        raise ValueError(f"line {instruction.line}: {instruction.keyword} needs a source and a destination")
    return [source for source in paths[:-1] if not re.match(r"https?://", source)]


def ignore_file_for(dockerfile: Path, context: Path) -> Path | None:
    """The ignore file BuildKit applies: `<Dockerfile>.dockerignore` next to the Dockerfile
    wins over the context's .dockerignore."""
    own = dockerfile.with_name(dockerfile.name + ".dockerignore")
    if own.exists():
        return own
    root = context / ".dockerignore"
    return root if root.exists() else None


def read_dockerignore(root: Path, path: Path | None = None) -> list[str]:
    path = path or root / ".dockerignore"
    if not path.exists():
        return []
    lines = [line.strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def repo_files(root: Path) -> list[str]:
    """The files a build context of `root` starts from: git's (tracked and untracked, not
    git-ignored), or every file when `root` is not a git checkout."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        listed = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    return sorted(f for f in listed if (root / f).is_file())


def build_context(root: Path, patterns: list[str]) -> set[str]:
    """The relative paths of the files the build context holds."""
    return {f for f in repo_files(root) if not is_ignored(f, patterns)}


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore drops `relative` (last matching pattern wins; `!` re-includes)."""
    ignored = False
    parts = relative.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.strip("/").removeprefix("./")
        regex = fnmatch.translate(body).replace(".*", "[^/]*").replace("[^/]*[^/]*", ".*")
        if any(re.fullmatch(regex, candidate) for candidate in candidates) or (
            body.startswith("**/") and any(fnmatch.fnmatch(c, body[3:]) for c in parts)
        ):
            ignored = not negate
    return ignored


def missing_sources(
    instructions: list[Instruction], context: Path, ignore_file: Path | None = None
) -> list[str]:
    """COPY/ADD sources that do not exist in (or are ignored from) the build context."""
    patterns = read_dockerignore(context, ignore_file)
    problems = []
    for instruction in instructions:
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        for source in copy_sources(instruction):
            relative = source.removeprefix("./").rstrip("/") or "."
            matches = (
                list(context.glob(relative)) if any(c in relative for c in "*?[") else [context / relative]
            )
            if not any(match.exists() for match in matches):
                problems.append(f"line {instruction.line}: {source} does not exist")
            elif relative != "." and is_ignored(relative, patterns):
                problems.append(f"line {instruction.line}: {source} is excluded by .dockerignore")
    return problems


def runtime_user(instructions: list[Instruction]) -> str | None:
    users = [instruction.args for instruction in final_stage(instructions) if instruction.keyword == "USER"]
    return users[-1] if users else None


def start_command(instructions: list[Instruction]) -> str:
    stage = final_stage(instructions)
    words = []
    for keyword in ("ENTRYPOINT", "CMD"):
        found = [instruction for instruction in stage if instruction.keyword == keyword]
        if found:
            words.extend(exec_or_shell_words(found[-1].args))
    return " ".join(words)


def start_scripts(instructions: list[Instruction], context: Path) -> list[Path]:
    """Shell scripts copied from the context that the start command runs."""
    command = start_command(instructions)
    scripts = []
    for instruction in instructions:
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        for source in copy_sources(instruction):
            path = context / source.removeprefix("./")
            candidates = path.rglob("*.sh") if path.is_dir() else [path]
            scripts.extend(p for p in candidates if p.suffix == ".sh" and p.name in command)
    return scripts


# ---------------------------------------------------------------- the checks, on examples


GOOD = """\
# syntax=docker/dockerfile:1
FROM python:3.11-slim AS build
COPY voice_runtime/requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt \\
    && python -c "print('models baked')"

FROM python:3.11-slim
COPY --from=build /usr/local /usr/local
COPY ["voice_runtime/", "/app/voice_runtime/"]
RUN useradd --uid 10001 app
USER app
CMD ["sh", "-c", "uvicorn voice_runtime.server:app --host 0.0.0.0 --port ${PORT:-8080}"]
"""


def make_context(tmp_path: Path) -> Path:
    (tmp_path / "voice_runtime").mkdir()
    (tmp_path / "voice_runtime" / "requirements.txt").write_text("fastapi\n")
    return tmp_path


def test_parser_joins_continuations_and_finds_the_final_stage() -> None:
    instructions = parse_dockerfile(GOOD)
    assert [i.keyword for i in instructions][:4] == ["FROM", "COPY", "RUN", "FROM"]
    assert "python -c" in instructions[2].args
    assert final_stage(instructions)[0].args == "python:3.11-slim"
    assert runtime_user(instructions) == "app"
    assert "--port ${PORT:-8080}" in start_command(instructions)


def test_checks_accept_a_good_dockerfile(tmp_path: Path) -> None:
    instructions = parse_dockerfile(GOOD)
    assert missing_sources(instructions, make_context(tmp_path)) == []


def test_checks_catch_a_missing_source_and_an_ignored_one(tmp_path: Path) -> None:
    context = make_context(tmp_path)
    broken = parse_dockerfile("FROM scratch\nCOPY voice_runtime/models /models\nCOPY voice_runtime /app\n")
    assert missing_sources(broken, context) == ["line 2: voice_runtime/models does not exist"]
    (context / ".dockerignore").write_text("voice_runtime\n!voice_runtime/requirements.txt\n")
    assert missing_sources(broken, context)[-1] == "line 3: voice_runtime is excluded by .dockerignore"
    assert not is_ignored("voice_runtime/requirements.txt", read_dockerignore(context))


def test_checks_catch_root_and_downloads_at_start() -> None:
    as_root = parse_dockerfile("FROM python:3.11\nUSER app\nFROM python:3.11\nCMD python -m server\n")
    assert runtime_user(as_root) is None
    fetching = parse_dockerfile('FROM python:3.11\nUSER 10001\nCMD ["sh", "-c", "curl -O x && run"]\n')
    assert DOWNLOADERS.search(start_command(fetching))


def test_the_dockerfiles_own_ignore_file_wins(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    dockerfile = tmp_path / "app" / "Dockerfile"
    dockerfile.write_text("FROM scratch\n")
    assert ignore_file_for(dockerfile, tmp_path) is None
    (tmp_path / ".dockerignore").write_text("*\n")
    assert ignore_file_for(dockerfile, tmp_path) == tmp_path / ".dockerignore"
    (tmp_path / "app" / "Dockerfile.dockerignore").write_text("*\n!app/\n")
    assert ignore_file_for(dockerfile, tmp_path) == tmp_path / "app" / "Dockerfile.dockerignore"


# ---------------------------------------------------------------- the real Dockerfile


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    if not DOCKERFILE.exists():
        pytest.skip("voice_runtime/Dockerfile does not exist yet (written by the voice runtime issue)")
    return parse_dockerfile(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    path = ignore_file_for(DOCKERFILE, ROOT)
    assert path == DOCKERFILE.with_name("Dockerfile.dockerignore"), f"the build would use {path}"
    patterns = read_dockerignore(ROOT, path)
    assert patterns, "the ignore file keeps everything: the context would be the whole repository"
    return patterns


@pytest.fixture(scope="module")
def context_files(ignore_patterns: list[str]) -> set[str]:
    return build_context(ROOT, ignore_patterns)


def test_every_copy_source_is_in_the_build_context(
    dockerfile: list[Instruction], context_files: set[str]
) -> None:
    problems = missing_sources(dockerfile, ROOT, ignore_file_for(DOCKERFILE, ROOT))
    for instruction in dockerfile:
        if instruction.keyword not in {"COPY", "ADD"}:
            continue
        for source in copy_sources(instruction):
            relative = source.removeprefix("./").rstrip("/")
            if (ROOT / relative).is_dir():
                inside = [f for f in context_files if f.startswith(relative + "/")]
                tracked = [f for f in repo_files(ROOT / relative) if f.endswith((".py", ".toml", ".txt"))]
                left_out = sorted(f for f in tracked if f"{relative}/{f}" not in context_files)
                if not inside:
                    problems.append(f"line {instruction.line}: {source} is empty in the build context")
                if left_out:
                    problems.append(
                        f"line {instruction.line}: {source} loses {left_out[:5]} to the ignore file"
                    )
            elif relative not in context_files:
                problems.append(f"line {instruction.line}: {source} is not in the build context")
    assert problems == []


def test_the_shared_package_is_installed_not_copied_file_by_file(dockerfile: list[Instruction]) -> None:
    sources = {s.rstrip("/") for i in dockerfile if i.keyword in {"COPY", "ADD"} for s in copy_sources(i)}
    assert "core" in sources and not any(s.startswith(("core/", "functions")) for s in sources), sources
    assert any(i.keyword == "RUN" and "pip install" in i.args and "/tmp/core" in i.args for i in dockerfile)


def test_dev_only_code_stays_out_of_the_image(context_files: set[str]) -> None:
    """Demos, test clients and benchmark baselines live in devstack/, tests/ or bench/."""
    for outside in ("devstack/", "tests/", "bench/", "functions/", "web/"):
        assert not [f for f in context_files if f.startswith(outside)], f"{outside} is in the build context"
    runtime = sorted(f for f in context_files if f.startswith("voice_runtime/") and f.endswith(".py"))
    for name in runtime:
        text = (ROOT / name).read_text()
        assert not re.search(r"^\s*(from|import) (devstack|tests|bench)\b", text, re.M), (
            f"{name} imports dev code"
        )
    assert not {"voice_runtime/demo.py", "voice_runtime/ws_client.py"} & set(runtime)
    assert not [f for f in runtime if "whisper_stock" in (ROOT / f).read_text()]


def test_the_container_installs_the_voice_requirements(dockerfile: list[Instruction]) -> None:
    sources = {
        source.rstrip("/") for i in dockerfile if i.keyword in {"COPY", "ADD"} for source in copy_sources(i)
    }
    assert sources & {"voice_runtime/requirements.txt", "voice_runtime", ".", "./"}, (
        "voice_runtime/requirements.txt (the container's pinned dependencies) is never copied in"
    )


def test_runs_as_a_non_root_user(dockerfile: list[Instruction]) -> None:
    user = runtime_user(dockerfile)
    assert user, "the final stage has no USER: the container would run as root"
    assert user.split(":")[0] not in ROOT_USERS, f"USER {user} is root"


def test_nothing_is_downloaded_at_start(dockerfile: list[Instruction]) -> None:
    command = start_command(dockerfile)
    assert command, "no CMD or ENTRYPOINT"
    assert not DOWNLOADERS.search(command), f"the start command downloads: {command}"
    for script in start_scripts(dockerfile, ROOT):
        found = DOWNLOADERS.search(script.read_text())
        assert not found, f"{script.relative_to(ROOT)} downloads at start ({found.group(0)})"


def test_listens_on_the_port_cloud_run_gives(dockerfile: list[Instruction]) -> None:
    command = start_command(dockerfile)
    if "--port" in command:
        assert "PORT" in command, f"the port is hard-coded, Cloud Run sets $PORT: {command}"
    # Otherwise the server reads PORT through VoiceSettings.port.


@pytest.mark.skipif(
    shutil.which("docker") is None or os.environ.get("VOICE_DOCKER_BUILD") != "1",
    reason="real image build runs only with docker and VOICE_DOCKER_BUILD=1",
)
def test_docker_build_succeeds() -> None:
    result = subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "-t", "voice-shopper-voice:test", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
