"""Offline checks of what builds and ships the image: Dockerfile, .dockerignore and justfile.

No Docker engine is needed: the Dockerfile is parsed, and its promises (a pinned uv, a
dependencies-only layer, a non-root numeric user, a command that starts an ASGI app on the port
the Deployment exposes) are checked against the source tree and the manifests.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
JUSTFILE = ROOT / "justfile"
DEPLOYMENT = ROOT / "k8s" / "02-deployment.yaml"

UV_IMAGE = "ghcr.io/astral-sh/uv"

# Every recipe the issue asks for; `just --list` must document each one.
RECIPES = (
    "default",
    "sync",
    "test",
    "lint",
    "check",
    "demo",
    "run",
    "dev",
    "test-stream",
    "build",
    "deploy",
    "test-k8s",
    "dev-k8s",
    "test-k8s-local",
    "logs",
)


# ---- a small Dockerfile reader --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    args: str


@dataclass(frozen=True, slots=True)
class Stage:
    image: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"stage {self.name or self.image} has no {keyword}"
        return found[-1]


def parse_instructions(text: str) -> list[Instruction]:
    """Join continuation lines and drop comments, as the Dockerfile frontend does."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, args = (pending + line).partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(args.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def expand(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], value)


def parse_stages(text: str) -> list[Stage]:
    """Stages in order, with `FROM ${ARG}` resolved from the global ARG defaults."""
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    current: list[Instruction] | None = None
    header: tuple[str, str | None] = ("", None)
    for instruction in parse_instructions(text):
        if instruction.keyword == "FROM":
            if current is not None:
                stages.append(Stage(header[0], header[1], tuple(current)))
            words = [w for w in instruction.args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            header = (expand(words[0], global_args), name)
            current = []
        elif current is None:
            assert instruction.keyword == "ARG", "only ARG may come before the first FROM"
            key, _, default = instruction.args.partition("=")
            global_args[key] = default.strip('"')
        else:
            current.append(instruction)
    assert current is not None, "the Dockerfile has no FROM"
    stages.append(Stage(header[0], header[1], tuple(current)))
    return stages


def env_of(stage: Stage) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        for word in shlex.split(instruction.args):
            key, sep, value = word.partition("=")
            assert sep, f"use the ENV key=value form: {instruction.args}"
            env[key] = value
    return env


def exec_form(instruction: Instruction) -> list[str]:
    value = json.loads(instruction.args)
    assert isinstance(value, list), f"{instruction.keyword} must use the JSON (exec) form"
    assert all(isinstance(v, str) for v in value)
    return [str(v) for v in value]


def option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse_stages(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def runtime(stages: list[Stage]) -> Stage:
    return stages[-1]


@pytest.fixture(scope="module")
def builder(stages: list[Stage]) -> Stage:
    with_sync = [s for s in stages if any("uv sync" in i.args for i in s.all("RUN"))]
    assert len(with_sync) == 1, "exactly one stage installs the project"
    return with_sync[0]


@pytest.fixture(scope="module")
def cmd(runtime: Stage) -> list[str]:
    entrypoint = exec_form(runtime.last("ENTRYPOINT")) if runtime.all("ENTRYPOINT") else []
    return entrypoint + exec_form(runtime.last("CMD"))


@pytest.fixture(scope="module")
def pod() -> dict[str, Any]:
    deployment: dict[str, Any] = yaml.safe_load(DEPLOYMENT.read_text(encoding="utf-8"))
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


@pytest.fixture(scope="module")
def container(pod: dict[str, Any]) -> dict[str, Any]:
    (only,) = pod["containers"]
    assert isinstance(only, dict)
    return only


# ---- Dockerfile ------------------------------------------------------------------------------


def test_uv_comes_from_a_pinned_release(stages: list[Stage]) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    references = set(
        re.findall(rf"{re.escape(UV_IMAGE)}(?::[\w.\-]+)?(?:@sha256:[0-9a-f]+)?", text)
    )
    assert references, "uv must be copied from its published image"
    for reference in references:
        assert re.fullmatch(
            rf"{re.escape(UV_IMAGE)}:\d+\.\d+\.\d+(@sha256:[0-9a-f]{{64}})?", reference
        ), f"{reference} is not pinned to a release"
    uv_stages = [s for s in stages if s.image.startswith(UV_IMAGE)]
    assert uv_stages, "the uv image is used as a stage"


def test_python_stages_use_python_312_slim(stages: list[Stage]) -> None:
    python_stages = [s for s in stages if not s.image.startswith(UV_IMAGE)]
    assert len(python_stages) >= 2, "a builder and a runtime stage"
    for stage in python_stages:
        assert re.fullmatch(r"python:3\.12(\.\d+)?-slim(-\w+)?", stage.image), stage.image


def test_dependencies_are_installed_in_their_own_layer_before_the_source(builder: Stage) -> None:
    steps = builder.instructions
    syncs = [n for n, i in enumerate(steps) if i.keyword == "RUN" and "uv sync" in i.args]
    copies_src = [
        n
        for n, i in enumerate(steps)
        if i.keyword == "COPY" and re.search(r"(^|\s)src/?\s", i.args)
    ]
    assert len(syncs) == 2, "one sync for the dependencies, one for the project"
    assert len(copies_src) == 1
    deps, project = syncs
    assert "--no-install-project" in steps[deps].args
    assert "--no-install-project" not in steps[project].args
    assert deps < copies_src[0] < project
    # Only the lock and the project metadata may reach the dependency layer.
    for step in steps[:deps]:
        if step.keyword in {"COPY", "ADD"} and "--from=" not in step.args:
            sources = step.args.split()[:-1]
            assert set(sources) <= {"pyproject.toml", "uv.lock"}, step.args


def test_every_sync_is_frozen_and_leaves_dev_dependencies_out(stages: list[Stage]) -> None:
    runs = [i.args for s in stages for i in s.all("RUN") if "uv sync" in i.args]
    assert runs
    for args in runs:
        assert "--frozen" in args or "--locked" in args, args
        assert "--no-dev" in args, args
        assert not re.search(r"--(dev|all-groups|group|extra|all-extras)\b", args), args


def test_runtime_stage_carries_only_the_virtual_environment(runtime: Stage, builder: Stage) -> None:
    assert not any("uv " in i.args for i in runtime.all("RUN")), "no installs at run time"
    copies = runtime.all("COPY")
    assert copies
    for copy in copies:
        assert f"--from={builder.name}" in copy.args, copy.args
        assert copy.args.split()[-2].endswith("/.venv"), copy.args


def test_runtime_user_is_numeric_and_not_root(
    runtime: Stage, pod: dict[str, Any], container: dict[str, Any]
) -> None:
    user = runtime.last("USER").args
    uid, _, gid = user.partition(":")
    assert uid.isdigit(), "a numeric UID lets Kubernetes verify runAsNonRoot"
    assert int(uid) != 0
    assert gid == "" or (gid.isdigit() and int(gid) != 0)
    pod_uid = pod["securityContext"]["runAsUser"]
    run_as = container.get("securityContext", {}).get("runAsUser", pod_uid)
    assert run_as == int(uid)


def test_runtime_environment(runtime: Stage) -> None:
    env = env_of(runtime)
    assert env["PYTHONUNBUFFERED"] == "1", "logs must reach stdout line by line"
    first_on_path = env["PATH"].split(":")[0]
    assert first_on_path.endswith("/.venv/bin")
    assert runtime.last("WORKDIR").args + "/.venv/bin" == first_on_path


def test_exposed_port_is_the_served_port_and_the_container_port(
    runtime: Stage, cmd: list[str], container: dict[str, Any]
) -> None:
    (exposed,) = [int(p.split("/")[0]) for i in runtime.all("EXPOSE") for p in i.args.split()]
    assert exposed == 8000
    assert cmd[0] == "uvicorn"
    assert int(option(cmd, "--port")) == exposed
    assert option(cmd, "--host") == "0.0.0.0"
    container_ports = [p["containerPort"] for p in container["ports"]]
    assert container_ports == [exposed]


def test_graceful_shutdown_fits_in_the_pod_grace_period(
    cmd: list[str], pod: dict[str, Any], container: dict[str, Any]
) -> None:
    pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
    assert pre_stop[0] == "sleep"
    budget = int(option(cmd, "--timeout-graceful-shutdown")) + int(pre_stop[1])
    assert budget < pod["terminationGracePeriodSeconds"]


def test_cmd_names_an_importable_asgi_app(cmd: list[str]) -> None:
    targets = [arg for arg in cmd[1:] if re.fullmatch(r"[\w.]+:\w+", arg)]
    assert targets == ["log_analyzer.main:app"]
    module_name, _, attribute = targets[0].partition(":")
    app = getattr(importlib.import_module(module_name), attribute)
    call = app if inspect.isfunction(app) else type(app).__call__
    assert inspect.iscoroutinefunction(call), "an ASGI app is an async callable"
    assert list(inspect.signature(call).parameters)[-3:] == ["scope", "receive", "send"]


def test_dockerignore_keeps_local_state_out_and_build_inputs_in() -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not [p for p in patterns if p.startswith("!")], "the checks below assume no exceptions"
    for required in (".git", ".venv", "tests", "bench", "k8s", "models", ".mypy_cache"):
        assert required in patterns, f"{required} belongs in .dockerignore"

    def ignored(path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(
            fnmatch.fnmatch(prefix, pattern.removeprefix("**/")) or fnmatch.fnmatch(prefix, pattern)
            for pattern in patterns
            for prefix in prefixes
        )

    for needed in ("pyproject.toml", "uv.lock", "README.md", "src/log_analyzer/main.py"):
        assert not ignored(needed), f"{needed} is needed by the build"
    for junk in (".git/HEAD", "tests/__init__.py", "models/model.gguf", ".venv/bin/python"):
        assert ignored(junk), f"{junk} must stay out of the build context"


# ---- justfile --------------------------------------------------------------------------------

RECIPE_HEADER = re.compile(r"^(@?)([A-Za-z_][\w-]*)((?:\s+[^:]*?)?)\s*:(?!=)(.*)$")


def justfile_recipes() -> dict[str, tuple[str | None, list[str]]]:
    """Recipe name -> (doc comment, body lines), read without `just`."""
    lines = JUSTFILE.read_text(encoding="utf-8").splitlines()
    recipes: dict[str, tuple[str | None, list[str]]] = {}
    for n, line in enumerate(lines):
        match = RECIPE_HEADER.match(line)
        if match is None or line.startswith(("set ", "#")):
            continue
        previous = lines[n - 1] if n else ""
        doc = previous[1:].strip() if previous.startswith("#") else None
        body: list[str] = []
        for following in lines[n + 1 :]:
            if following and not following[0].isspace():
                break
            if following.strip():
                body.append(following.strip())
        recipes[match.group(2)] = (doc, body)
    return recipes


def dry_run(*args: str) -> list[str]:
    just = shutil.which("just")
    if just is None:
        pytest.skip("just is not installed")
    result = subprocess.run(
        [just, "--justfile", str(JUSTFILE), "--working-directory", str(ROOT), "--dry-run", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    # --dry-run echoes the commands on stderr.
    return result.stderr.splitlines()


def request_body(command: str) -> Any:
    argv = shlex.split(command)
    return json.loads(option(argv, "-d"))


def test_justfile_has_every_recipe() -> None:
    just = shutil.which("just")
    if just is not None:
        summary = subprocess.run(
            [just, "--justfile", str(JUSTFILE), "--summary"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
        assert set(RECIPES) <= set(summary)
    assert set(RECIPES) <= set(justfile_recipes())


def test_every_recipe_is_documented_for_just_list() -> None:
    undocumented = [name for name, (doc, _) in justfile_recipes().items() if not doc]
    assert undocumented == []


def test_justfile_runs_recipes_under_strict_bash() -> None:
    text = JUSTFILE.read_text(encoding="utf-8")
    assert re.search(r'^set shell := \["bash", "-euo", "pipefail", "-c"\]$', text, re.M)
    assert re.search(r'^node := env\("K3S_NODE", "node-1"\)$', text, re.M)


@pytest.mark.parametrize(
    ("recipe", "command"),
    [
        pytest.param("sync", "uv sync --locked", id="sync"),
        pytest.param("test", "uv run pytest", id="test"),
        pytest.param("lint", "uv run ruff check .", id="lint-ruff"),
        pytest.param("lint", "uv run ruff format --check .", id="lint-format"),
        pytest.param("lint", "uv run mypy", id="lint-mypy"),
        pytest.param("demo", "uv run log-analyzer demo", id="demo"),
        pytest.param("run", "uv run uvicorn log_analyzer.main:app --reload --port 8000", id="run"),
        pytest.param("build", "docker buildx build --platform linux/amd64", id="build"),
        pytest.param("deploy", "kubectl apply -k k8s/", id="deploy-apply"),
        pytest.param("deploy", "k3s ctr images import", id="deploy-import"),
        pytest.param("deploy", "rollout status", id="deploy-rollout"),
        pytest.param("dev-k8s", "port-forward svc/log-analyzer 8000:8000", id="dev-k8s"),
        pytest.param("logs", "logs -f deployment/log-analyzer", id="logs"),
    ],
)
def test_recipe_runs(recipe: str, command: str) -> None:
    _, body = justfile_recipes()[recipe]
    assert any(command in line for line in body), f"`{command}` not in {recipe}"


def test_dev_forwards_every_upstream_and_stops_them_together() -> None:
    _, body = justfile_recipes()["dev"]
    text = "\n".join(body)
    for forward in (
        "-n logging port-forward svc/loki 3100:3100 &",
        "-n llm port-forward svc/llama-cpp 8080:8080 &",
        "-n logging port-forward svc/tempo 4317:4317 &",
    ):
        assert forward in text
    assert "trap " in text
    assert re.search(r"^wait\b", text, re.M)


@pytest.mark.parametrize(
    ("recipe", "default", "url"),
    [
        pytest.param("test-stream", "kube-system", "http://localhost:8000", id="test-stream"),
        pytest.param("test-k8s-local", "log-analyzer", "http://localhost:8000", id="k8s-local"),
        pytest.param(
            "test-k8s",
            "log-analyzer",
            "http://log-analyzer.log-analyzer.svc.cluster.local:8000",
            id="test-k8s",
        ),
    ],
)
def test_stream_recipes_send_a_valid_request(recipe: str, default: str, url: str) -> None:
    for args, namespace in (((recipe,), default), ((recipe, "payments"), "payments")):
        command = dry_run(*args)[-1]
        assert f"{url}/v1/analyze/stream" in command
        assert "-N" in shlex.split(command), "curl must not buffer the stream"
        assert request_body(command) == {
            "filters": {"namespace": namespace},
            "time_range": {"since": "1h"},
        }


def test_in_cluster_smoke_pod_is_temporary_and_passes_restricted_admission() -> None:
    command = dry_run("test-k8s")[-1]
    argv = shlex.split(command)
    assert argv[:2] == ["kubectl", "-n"]
    assert {"run", "--rm", "-i", "--restart=Never"} <= set(argv)
    overrides = json.loads(next(a for a in argv if a.startswith("--overrides=")).split("=", 1)[1])
    pod = overrides["spec"]
    (container,) = pod["containers"]
    assert container["name"] == argv[argv.index("run") + 1], "strategic merge matches by name"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
    }


def test_build_tag_is_the_project_version() -> None:
    _, body = justfile_recipes()["build"]
    assert any('-t "log-analyzer:$(uv version --short)"' in line for line in body)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    kustomization = yaml.safe_load((ROOT / "k8s" / "kustomization.yaml").read_text("utf-8"))
    (image,) = kustomization["images"]
    assert image == {"name": "log-analyzer", "newTag": project["version"]}
