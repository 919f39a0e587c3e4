"""What ships: the Dockerfile, fly.toml, the Slack manifest, the install from the lock, and logs.

The image is never built here, so the Dockerfile is read instruction by instruction and its build
stage is replayed in a fresh virtualenv (the same `uv sync` lines, on the same copied files).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.ops.logs import LogfmtFormatter, setup_logging
from bot.runtime.http import create_web_app

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"][
    "targets"
]["wheel"]["packages"]


# --- reading the Dockerfile -----------------------------------------------------------------------


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str
    stage: str  # the `AS` name of the stage it belongs to ("" before the first FROM)

    def exec_form(self) -> list[str] | None:
        """["a", "b"] for the JSON (exec) form, None for the shell form."""
        if not self.args.startswith("["):
            return None
        parsed = json.loads(self.args)
        assert isinstance(parsed, list)
        return [str(part) for part in parsed]


def read_dockerfile(path: Path = ROOT / "Dockerfile") -> list[Instruction]:
    instructions: list[Instruction] = []
    stage = ""
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = " ".join((pending + line).split())
        pending = ""
        keyword, _, args = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.search(r"\bAS\s+(\S+)", args, flags=re.IGNORECASE)
            stage = match.group(1) if match else args
        instructions.append(Instruction(keyword, args, stage))
    return instructions


def env_of(instructions: list[Instruction], stage: str) -> dict[str, str]:
    """ENV values visible in `stage` (its own and those of the stages it is built FROM)."""
    parents = {i.stage: i.args.split()[0] for i in instructions if i.keyword == "FROM"}
    chain = [stage]
    while parents.get(chain[-1]) in parents:
        chain.append(parents[chain[-1]])
    env: dict[str, str] = {}
    for name in reversed(chain):
        for instruction in instructions:
            if instruction.stage == name and instruction.keyword == "ENV":
                for pair in shlex.split(instruction.args):
                    key, _, value = pair.partition("=")
                    env[key] = value
    return env


@pytest.fixture(scope="module")
def dockerfile() -> list[Instruction]:
    return read_dockerfile()


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    last = [i for i in instructions if i.keyword == "FROM"][-1].stage
    return [i for i in instructions if i.stage == last]


def test_dockerfile_is_multi_stage_on_python_slim(dockerfile: list[Instruction]) -> None:
    froms = [i.args for i in dockerfile if i.keyword == "FROM"]
    assert "python:3.11-slim AS base" in froms
    assert len(froms) >= 3  # uv, base, build, runtime
    # The runtime stage is built on the same base as the build stage (same interpreter path).
    assert froms[-1].startswith("base ")
    runtime = final_stage(dockerfile)
    assert not any(i.keyword == "RUN" and "uv " in i.args for i in runtime)  # no uv at run time
    assert any(i.keyword == "COPY" and "--from=build" in i.args for i in runtime)


def test_dockerfile_installs_from_the_lock(dockerfile: list[Instruction]) -> None:
    syncs = [i.args for i in dockerfile if i.keyword == "RUN" and i.args.startswith("uv sync")]
    assert syncs, "no `uv sync` in the Dockerfile"
    assert all("--frozen --no-dev" in sync for sync in syncs)
    assert any(i.keyword == "COPY" and "uv.lock" in i.args.split() for i in dockerfile)


def test_dockerfile_runs_as_a_non_root_user(dockerfile: list[Instruction]) -> None:
    users = [i.args for i in final_stage(dockerfile) if i.keyword == "USER"]
    assert users, "the runtime stage names no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    created = " ".join(i.args for i in final_stage(dockerfile) if i.keyword == "RUN")
    assert "useradd" in created and user in created
    assert f"chown {user}" in created  # the data directory belongs to it


def test_dockerfile_starts_the_server_with_a_healthcheck(dockerfile: list[Instruction]) -> None:
    runtime = final_stage(dockerfile)
    entrypoint = next(i.exec_form() for i in runtime if i.keyword == "ENTRYPOINT")
    command = next(i.exec_form() for i in runtime if i.keyword == "CMD")
    assert (entrypoint or []) + (command or []) == ["standup-bot", "serve"]
    healthcheck = next(i.args for i in runtime if i.keyword == "HEALTHCHECK")
    assert "/healthz" in healthcheck
    assert "curl" not in healthcheck and "wget" not in healthcheck  # neither is in slim


def test_dockerfile_environment(dockerfile: list[Instruction]) -> None:
    env = env_of(dockerfile, final_stage(dockerfile)[0].stage)
    assert env["STANDUP_DB"] == "/data/standup.db"
    assert env["PORT"] == "3000"
    assert env["MPLCONFIGDIR"].startswith("/tmp/")  # writable for any user
    assert env["PATH"].startswith("/app/.venv/bin:")
    build = env_of(dockerfile, "build")
    assert build["UV_PROJECT_ENVIRONMENT"] == "/app/.venv"  # the path the runtime stage copies


def test_the_working_directory_is_the_users_home_not_the_data_volume(
    dockerfile: list[Instruction],
) -> None:
    """`standup-bot demo` writes ./demo-out: that must not land in the database's volume."""
    runtime = final_stage(dockerfile)
    workdir = [i.args for i in runtime if i.keyword == "WORKDIR"][-1]
    data = str(Path(env_of(dockerfile, runtime[0].stage)["STANDUP_DB"]).parent)
    assert not Path(workdir).is_relative_to(data) and not Path(data).is_relative_to(workdir)
    created = " ".join(i.args for i in runtime if i.keyword == "RUN")
    assert f"--create-home --home-dir {workdir}" in created  # it exists, owned by the user


def test_an_extra_ca_can_be_built_in_for_a_tls_intercepting_proxy(
    dockerfile: list[Instruction],
) -> None:
    base = [i for i in dockerfile if i.stage == "base"]
    assert any(i.keyword == "ARG" and i.args.startswith("EXTRA_CA_CERT") for i in base)
    install = next(i.args for i in base if i.keyword == "RUN")
    assert "$EXTRA_CA_CERT" in install and "update-ca-certificates" in install
    # uv (build), httpx and urllib (run time) read the system bundle that now holds it
    bundle = env_of(dockerfile, "base")["SSL_CERT_FILE"]
    assert bundle == "/etc/ssl/certs/ca-certificates.crt"
    assert env_of(dockerfile, "build")["SSL_CERT_FILE"] == bundle
    assert env_of(dockerfile, final_stage(dockerfile)[0].stage)["SSL_CERT_FILE"] == bundle
    header = (ROOT / "Dockerfile").read_text().split("\nARG ", 1)[0]
    assert '--build-arg EXTRA_CA_CERT="$(cat proxy-ca.pem)"' in header


def test_every_run_line_is_valid_shell(dockerfile: list[Instruction]) -> None:
    for instruction in dockerfile:
        if instruction.keyword == "RUN" and instruction.exec_form() is None:
            checked = subprocess.run(["sh", "-n", "-c", instruction.args], capture_output=True)
            assert checked.returncode == 0, (instruction.args, checked.stderr)


def test_readme_tells_podman_users_to_keep_the_healthcheck() -> None:
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "--format docker" in readme and "HEALTHCHECK" in readme
    assert "EXTRA_CA_CERT" in readme


def test_dockerfile_copies_every_package_and_dockerignore_keeps_them(
    dockerfile: list[Instruction],
) -> None:
    copied = set()
    for instruction in dockerfile:
        if instruction.keyword == "COPY" and "--from" not in instruction.args:
            copied.update(instruction.args.split()[:-1])
    assert {"pyproject.toml", "uv.lock", "README.md", *PACKAGES} <= copied
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name in copied:
        assert name not in ignored, f".dockerignore drops {name}, which the Dockerfile copies"
    for heavy in (".git", ".venv", "tests", ".env", "*.db"):
        assert heavy in ignored


def _healthz_server() -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def test_the_healthcheck_command_works(dockerfile: list[Instruction]) -> None:
    """Run the HEALTHCHECK's own command: 0 against a live /healthz, non-zero with nothing there."""
    healthcheck = next(i.args for i in final_stage(dockerfile) if i.keyword == "HEALTHCHECK")
    command = json.loads(healthcheck[healthcheck.index("CMD") + 3 :].strip())
    assert command[0] == "python"
    argv = [sys.executable, *command[1:]]
    server = _healthz_server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        port = str(server.server_address[1])
        up = subprocess.run(argv, env={**os.environ, "PORT": port}, capture_output=True)
        assert up.returncode == 0, up.stderr
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    down = subprocess.run(argv, env={**os.environ, "PORT": port}, capture_output=True)
    assert down.returncode != 0


# --- the install the Dockerfile does, replayed ---------------------------------------------------


@pytest.mark.install
def test_install_from_the_lock_in_a_fresh_venv(
    dockerfile: list[Instruction], tmp_path: Path
) -> None:
    """The build stage's COPY and RUN lines (`uv sync`, then the cuts), run into a new
    virtualenv as the image builds it (bytecode compiled); then the command, the demo (which
    draws the chart through what the cuts left), and the size the Dockerfile's header states."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH: this test replays the Dockerfile's `uv sync` lines")
    source, venv = tmp_path / "src", tmp_path / "venv"
    source.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("UV_") and key != "VIRTUAL_ENV"
    }
    env.update(env_of(dockerfile, "build"))
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)], env=env, check=True
    )
    replayed = 0
    for instruction in dockerfile:
        if instruction.stage != "build":
            continue
        if instruction.keyword == "COPY" and "--from" not in instruction.args:
            *names, _ = instruction.args.split()
            for name in names:
                if (ROOT / name).is_dir():
                    shutil.copytree(
                        ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy2(ROOT / name, source / name)
        if instruction.keyword == "RUN" and instruction.args.startswith("uv sync"):
            argv = shlex.split(instruction.args)
            done = subprocess.run(
                [uv, *argv[1:], "--quiet"], cwd=source, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            replayed += 1
        elif instruction.keyword == "RUN":  # the cuts: plain shell on the virtualenv
            assert replayed == 2, "the cuts run after both `uv sync` lines"
            done = subprocess.run(
                ["sh", "-c", instruction.args], cwd=source, env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
            replayed += 1
    assert replayed == 3

    help_text = subprocess.run(
        [str(venv / "bin" / "standup-bot"), "--help"], capture_output=True, text=True, env=env
    )
    assert help_text.returncode == 0, help_text.stderr
    assert "doctor" in help_text.stdout and "serve" in help_text.stdout
    # Not editable: the installed packages carry their own data files (templates, sample data).
    site = next(venv.glob("lib/python3.*/site-packages"))
    for package in PACKAGES:
        for data in (ROOT / package).rglob("*"):
            if data.is_file() and data.suffix not in (".py", ".pyc"):
                assert (site / data.relative_to(ROOT)).is_file(), f"{data} is not installed"
    assert not (site / "tests").exists()
    # The installed bot reads its scopes from the manifest packaged with it, not from a checkout.
    scopes = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from bot.slack.manifest import bot_scopes, manifest_path; "
            "print(manifest_path()); print(','.join(bot_scopes()))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert scopes.returncode == 0, scopes.stderr
    packaged, listed = scopes.stdout.splitlines()
    assert Path(packaged).is_relative_to(site)
    assert listed.split(",") == list(
        yaml.safe_load((ROOT / "manifest.yaml").read_text())["oauth_config"]["scopes"]["bot"]
    )
    # What the cuts took is gone, and what the bot runs still works: the demo draws the same
    # chart and writes the same digest as docs/demo (generated with the full install).
    assert not list(site.glob("fontTools/**/*.so")) and not list(site.glob("**/tests"))
    assert not (site / "numpy" / "f2py").exists() and not list(site.glob("PIL/_avif*"))
    out = tmp_path / "demo"
    demo = subprocess.run(
        [str(venv / "bin" / "standup-bot"), "demo", "--date", "2026-11-30", "--out", str(out)],
        capture_output=True,
        text=True,
        env={**env, "MPLCONFIGDIR": str(tmp_path / "mpl")},
        cwd=tmp_path,
    )
    assert demo.returncode == 0, demo.stderr
    for name in ("digest.md", "blocks.json", "ci-billing.png"):
        assert (out / name).read_bytes() == (ROOT / "docs" / "demo" / name).read_bytes(), name
    # The size the header states, within 5 %
    stated = re.search(r"the runtime virtualenv is (\d+) MB", (ROOT / "Dockerfile").read_text())
    assert stated is not None, "the Dockerfile's header states no size"
    size = sum(f.lstat().st_size for f in venv.rglob("*") if f.is_file() or f.is_symlink())
    assert abs(size / 1e6 - int(stated[1])) <= 0.05 * int(stated[1]), f"{size / 1e6:.0f} MB"


# --- fly.toml -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fly() -> dict[str, Any]:
    return tomllib.loads((ROOT / "fly.toml").read_text())


def test_fly_app_and_region_are_placeholders(fly: dict[str, Any]) -> None:
    assert fly["app"] == "YOUR-APP"
    assert fly["primary_region"]
    assert fly["build"]["dockerfile"] == "Dockerfile"


def test_fly_keeps_the_database_on_a_volume(
    fly: dict[str, Any], dockerfile: list[Instruction]
) -> None:
    assert fly["mounts"] == {"source": "standup_data", "destination": "/data"}
    assert fly["env"]["STANDUP_DB"] == "/data/standup.db"
    assert Path(fly["env"]["STANDUP_DB"]).parent == Path(fly["mounts"]["destination"])
    image_env = env_of(dockerfile, final_stage(dockerfile)[0].stage)
    assert image_env["STANDUP_DB"] == fly["env"]["STANDUP_DB"]


def test_fly_serves_the_port_the_app_listens_on(
    fly: dict[str, Any], dockerfile: list[Instruction]
) -> None:
    service = fly["http_service"]
    image_env = env_of(dockerfile, final_stage(dockerfile)[0].stage)
    assert service["internal_port"] == 3000
    assert str(service["internal_port"]) == image_env["PORT"] == fly["env"]["PORT"]
    assert service["force_https"] is True


def test_fly_never_stops_the_only_machine(fly: dict[str, Any]) -> None:
    service = fly["http_service"]
    # A stopped machine never fires Monday's digest: nothing may stop it, and one always runs.
    assert service["auto_stop_machines"] in ("off", False)
    assert service["auto_start_machines"] is True
    assert service["min_machines_running"] == 1


def test_fly_checks_healthz_which_the_server_answers(fly: dict[str, Any]) -> None:
    checks = fly["http_service"]["checks"]
    assert len(checks) == 1
    check = checks[0]
    assert check["path"] == "/healthz"
    assert check["method"] == "GET"
    for duration in ("grace_period", "interval", "timeout"):
        assert re.fullmatch(r"\d+s", check[duration])
    assert _get(create_web_app(None), check["path"]).status_code == 200


def _get(app: Any, path: str) -> httpx.Response:
    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://fly-check") as client:
            return await client.get(path)

    return asyncio.run(fetch())


def test_fly_vm_is_the_smallest(fly: dict[str, Any]) -> None:
    (vm,) = fly["vm"]
    assert vm["memory"] == "256mb"
    assert vm["size"] == "shared-cpu-1x"


# --- manifest.yaml --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_manifest_has_the_slash_command(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/standup"
    assert command["usage_hint"]
    assert command["description"]
    assert command["should_escape"] is False  # mentions arrive as <@U…>, already resolved


def test_manifest_uses_one_request_url_everywhere(manifest: dict[str, Any]) -> None:
    settings = manifest["settings"]
    urls = {
        manifest["features"]["slash_commands"][0]["url"],
        settings["interactivity"]["request_url"],
        settings["event_subscriptions"]["request_url"],
    }
    assert urls == {"https://YOUR-APP.fly.dev/slack/events"}
    assert settings["interactivity"]["is_enabled"] is True
    # The URL's path is the one the server routes.
    web_app = create_web_app(_NoBolt(), signing_secret="unused")  # type: ignore[arg-type]
    app_routes = {route.path for route in web_app.routes}
    assert "/slack/events" in app_routes


class _NoBolt:
    """Stands in for the Bolt app only to list routes; no request reaches it."""


def test_manifest_events_shortcut_and_home(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == ["app_home_opened", "reaction_added", "reaction_removed"]
    (shortcut,) = manifest["features"]["shortcuts"]
    assert shortcut == {
        "name": "Add as follow-up",
        "type": "message",
        "callback_id": "add_follow_up",
        "description": shortcut["description"],
    }
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"]
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_every_manifest_entry_reaches_a_listener(manifest: dict[str, Any], tmp_path: Path) -> None:
    """The command, the shortcut and each subscribed event match a listener of the real app."""
    from slack_bolt.request import BoltRequest
    from slack_bolt.response import BoltResponse

    from bot.config import load_settings
    from bot.runtime.app import create_app
    from bot.store import Store
    from tests.fakes import slack_payloads as payloads

    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-1-2-manifest", "SLACK_SIGNING_SECRET": "secret"}, env_file=None
    )
    message = {"type": "message", "user": "U1", "text": "ship it", "ts": "1700000000.000100"}
    requests = {
        "command": payloads.slash_command(manifest["features"]["slash_commands"][0]["command"]),
        "shortcut": payloads.message_shortcut(
            manifest["features"]["shortcuts"][0]["callback_id"], message, "C1", "U1"
        ),
    }
    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        if event.startswith("reaction_"):
            requests[event] = payloads.reaction_event(
                event, user="U1", reaction="white_check_mark", channel="C1", ts=message["ts"]
            )
        elif event == "app_home_opened":
            requests[event] = payloads.app_home_opened("U1")
        else:
            raise AssertionError(f"the manifest subscribes to {event}: add it to this test")
    requests["(not in the manifest)"] = payloads.event_callback({"type": "team_join"})

    with Store(tmp_path / "standup.db") as store:
        app = create_app(settings, store=store)

        def handled(request: payloads.SlackRequest) -> bool:
            bolt_request = BoltRequest(
                body=request.body.decode(), headers={"content-type": request.content_type}
            )
            return any(
                listener.matches(req=bolt_request, resp=BoltResponse(status=200))
                for listener in app._listeners
            )

        matched = {name: handled(request) for name, request in requests.items()}
    assert matched == {name: name != "(not in the manifest)" for name in requests}


def test_manifest_scopes_are_few_and_each_says_why(manifest: dict[str, Any]) -> None:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert sorted(scopes) == sorted(
        [
            "commands",
            "chat:write",
            "reactions:read",
            "files:write",
            "users:read",
            "channels:read",
            "groups:read",
            "im:write",
            "channels:history",
            "groups:history",
        ]
    )
    text = (ROOT / "manifest.yaml").read_text()
    for scope in scopes:
        assert re.search(rf"^\s*- {re.escape(scope)} # \S", text, flags=re.MULTILINE), (
            f"scope {scope} has no comment saying why"
        )
    assert "user" not in manifest["oauth_config"]["scopes"]  # no user-token scopes


def test_manifest_documents_socket_mode(manifest: dict[str, Any]) -> None:
    text = (ROOT / "manifest.yaml").read_text()
    comment = text[: text.index("socket_mode_enabled:")].rsplit("org_deploy_enabled", 1)[1]
    assert "SLACK_APP_TOKEN" in comment and "connections:write" in comment


# --- logs -----------------------------------------------------------------------------------------

SLACK_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
MORE_TOKENS = ("xapp-1-A0APP-123-abcdef0123", "github_pat_11ABCDEFG_0123456789abcdef")


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("standup_bot", logging.ERROR, __file__, 1, message, args, exc_info)


def test_a_token_never_reaches_the_log() -> None:
    formatter = LogfmtFormatter()
    try:
        raise RuntimeError(f"GitHub said no to Bearer {GITHUB_TOKEN} and {MORE_TOKENS[1]}")
    except RuntimeError as error:
        caught = error
    lines = [
        formatter.format(_record("posting with %s to %s", SLACK_TOKEN, "http://127.0.0.1:9/api/")),
        formatter.format(_record(f"url=http://127.0.0.1:9/user?access_token={GITHUB_TOKEN}")),
        formatter.format(_record("socket %s", MORE_TOKENS[0])),
        formatter.format(_record("fetch failed", exc=caught)),
    ]
    for line in lines:
        for token in (SLACK_TOKEN, GITHUB_TOKEN, *MORE_TOKENS):
            assert token not in line
            assert token[8:] not in line  # no tail of it either
    assert "xoxb-" in lines[0] and "redacted" in lines[0]
    assert "ghp_" in lines[1] and "redacted" in lines[1]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_configured_handler_redacts(
    restore_logging: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_logging("INFO")
    logging.getLogger("bot.github").warning("GitHub GET failed with token %s", GITHUB_TOKEN)
    logging.getLogger("bot.runtime.app").info("auth with %s", SLACK_TOKEN)
    # uvicorn's own lines reach the same handler: serve gives uvicorn no logging of its own (an
    # in-process test server earlier in the run may have; a serve process starts clean)
    for name in ("uvicorn", "uvicorn.error"):
        monkeypatch.setattr(logging.getLogger(name), "handlers", [])
        monkeypatch.setattr(logging.getLogger(name), "propagate", True)
    logging.getLogger("uvicorn.error").warning("Invalid HTTP request from %s", MORE_TOKENS[0])
    err = capsys.readouterr().err
    assert err.count("\n") == 3
    assert GITHUB_TOKEN not in err and SLACK_TOKEN not in err and MORE_TOKENS[0] not in err
    assert "level=warning logger=bot.github" in err
    assert 'level=warning logger=uvicorn.error msg="Invalid HTTP request from xapp-' in err
