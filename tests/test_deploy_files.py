"""deploy/ without running it: the HAProxy configuration that compose mounts and deploy/local
generates (checked by HAProxy itself, `haproxy -c`), the compose file (checked by Debian's
docker-compose, which needs no Docker engine), the Dockerfile (its files run the app), the
Kubernetes manifest (the pieces refer to each other). What the balancer DOES with a browser is
tests/test_deploy.py.

HAProxy and docker-compose come from Debian (.ci/run installs both); locally a missing one
skips its tests, in CI (BACKPROP_REQUIRE_ALL=1) it fails them.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
REQUIRED = os.environ.get("BACKPROP_REQUIRE_ALL") == "1"


def tool(name: str, debian: str) -> str:
    path = shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else None)
    if path is None:
        if REQUIRED:
            raise RuntimeError(f"{name} is required here: apt-get install -y {debian}")
        pytest.skip(f"{name} not installed (apt-get install -y {debian})")
    return path


def deploy_local():
    """deploy/local as a module (it is an executable without .py)."""
    loader = importlib.machinery.SourceFileLoader("deploy_local", str(DEPLOY / "local"))
    spec = importlib.util.spec_from_loader("deploy_local", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def haproxy_check(files: list[Path], env: dict) -> subprocess.CompletedProcess:
    cmd = [tool("haproxy", "haproxy"), "-c"]
    for f in files:
        cmd += ["-f", str(f)]
    return subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=30)


# ----------------------------------------------------------------------------- HAProxy
def test_haproxy_accepts_the_configuration_compose_runs():
    """The files, command and environment of compose's lb service, as compose would hand them
    to HAProxy (the volumes say which file of deploy/ lands where)."""
    lb = compose()["services"]["lb"]
    mounts = {}
    for v in lb["volumes"]:
        src, dst = v.split(":")[:2]
        mounts[dst] = (DEPLOY / src).resolve()
    args = lb["command"]
    assert args[0] == "haproxy"
    files = [mounts[args[i + 1]] for i, a in enumerate(args) if a == "-f"]
    assert [f.name for f in files] == ["haproxy.cfg", "haproxy-compose.cfg"]
    env = {k: str(v) for k, v in lb["environment"].items() if "${" not in str(v)}
    out = haproxy_check(files, env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "ALERT" not in out.stdout + out.stderr and "WARNING" not in out.stdout + out.stderr, out.stderr


def test_haproxy_accepts_the_configuration_deploy_local_writes(tmp_path):
    local = deploy_local()
    replicas = [SimpleNamespace(name=f"app{i}", host="127.0.0.1", port=40000 + i) for i in (1, 2, 3)]
    servers = tmp_path / "servers.cfg"
    servers.write_text(local.servers_section(replicas))
    assert "server app2 127.0.0.1:40002 cookie app2" in servers.read_text()
    out = haproxy_check([local.HAPROXY_CFG, servers], {"BACKPROP_BIND": "127.0.0.1:40010",
                                                       "BACKPROP_STATS_BIND": "127.0.0.1:40011"})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "WARNING" not in out.stdout + out.stderr, out.stderr
    assert local.HAPROXY_CFG == DEPLOY / "haproxy.cfg"  # the same file compose mounts


def _directives(section: str) -> list[str]:
    """The lines of one section of deploy/haproxy.cfg, comments stripped."""
    text = (DEPLOY / "haproxy.cfg").read_text()
    body = re.search(rf"^{re.escape(section)}\n(.*?)(?=^\S|\Z)", text, re.M | re.S).group(1)
    return [" ".join(line.split("#")[0].split()) for line in body.splitlines() if line.split("#")[0].strip()]


def test_haproxy_sticks_by_cookie_not_by_address_with_websocket_timeouts_and_health_checks():
    """What Streamlit needs (the behaviour itself is tests/test_deploy.py): a class behind one
    NAT shares one address, so no source hashing; an upgraded WebSocket is governed by
    'timeout tunnel', which must outlast a quiet tab; a dead replica leaves the pool."""
    backend = _directives("defaults streamlit from base")
    base = _directives("defaults base")
    balance = next(d for d in backend if d.startswith("balance "))
    assert balance.split()[1] not in ("source", "uri", "hdr"), balance
    assert not any(d.startswith(("stick ", "stick-table", "hash-type")) for d in backend)
    cookie = next(d for d in backend if d.startswith("cookie "))
    assert cookie.split()[2] == "insert" and "nocache" in cookie and "httponly" in cookie
    assert "option httpchk GET /_stcore/health" in backend
    assert any(d.startswith("option redispatch") for d in backend)
    tunnel = next(d for d in base if d.startswith("timeout tunnel "))
    assert tunnel.split()[2] in ("1h", "2h", "3600s"), tunnel


# ----------------------------------------------------------------------------- compose
def test_compose_file_is_valid_and_builds_the_image_from_the_repository():
    out = subprocess.run([tool("docker-compose", "docker-compose"), "-f", str(DEPLOY / "compose.yaml"), "config"],
                         capture_output=True, text=True, timeout=60, cwd=DEPLOY,
                         env={**os.environ, "DOCKER_HOST": "unix:///nonexistent"})  # no engine needed
    assert out.returncode == 0, out.stderr
    resolved = yaml.safe_load(out.stdout)
    app, lb = resolved["services"]["app"], resolved["services"]["lb"]
    assert Path(app["build"]["context"]).resolve() == ROOT
    assert (ROOT / app["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert int(app["deploy"]["replicas"]) >= 2
    assert "ports" not in app  # replicas are reached only through the balancer
    assert any(str(p.get("target") if isinstance(p, dict) else p).split(":")[-1].split("/")[0] == "8080"
               for p in lb["ports"])
    assert lb["environment"]["BACKPROP_BIND"] == ":8080"


def test_compose_runs_the_haproxy_branch_the_tests_run():
    """compose pulls haproxy:<major.minor>; the tests check the configuration with Debian's
    haproxy: the same LTS branch, so what passed here is what runs there."""
    image = compose()["services"]["lb"]["image"]
    version = subprocess.run([tool("haproxy", "haproxy"), "-v"], capture_output=True, text=True).stdout
    branch = re.search(r"version (\d+\.\d+)", version).group(1)
    assert image == f"haproxy:{branch}", (image, branch)


# ----------------------------------------------------------------------------- Dockerfile
def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_slim_python_pinned_requirements_non_root_healthcheck_one_blas_thread():
    steps = _dockerfile()
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", steps[0][1]) and re.fullmatch(r"python:3\.11-slim(-\w+)?", steps[0][1]), steps[0]
    copies = [a for k, a in steps if k == "COPY"]
    assert copies[0].split() == ["requirements.txt", "./"]
    runs = [a for k, a in steps if k == "RUN"]
    assert "pip install -r requirements.txt" in runs[0]
    reqs = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[\w.]+", r) for r in reqs if r), reqs  # pinned
    env = " ".join(a for k, a in steps if k == "ENV")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        assert f"{var}=1" in env
    user = kinds.index("USER")
    assert steps[user][1] not in ("root", "0") and user > max(i for i, k in enumerate(kinds) if k in ("RUN", "COPY"))
    health = next(a for k, a in steps if k == "HEALTHCHECK")
    cmd = next(a for k, a in steps if k == "CMD")
    port = re.search(r"--server\.port=(\d+)", cmd).group(1)
    assert f"127.0.0.1:{port}/_stcore/health" in health
    assert f"EXPOSE {port}" in [f"{k} {a}" for k, a in steps]
    assert "--server.address=0.0.0.0" in cmd  # reachable from the balancer's container


# Tracked files the app does not read at run time: what the image leaves out on purpose.
NOT_IN_IMAGE = ("tests/", "benchmarks/", "docs/", "deploy/", ".ci/", "README.md", "requirements-dev.txt",
                "pytest.ini", ".gitignore")


def _copied() -> list[Path]:
    """The repository paths the Dockerfile COPYs (files or directories)."""
    out = []
    for k, a in _dockerfile():
        if k == "COPY":
            out += [ROOT / s.rstrip("/") for s in a.split()[:-1]]
    return out


def test_the_image_has_every_tracked_file_but_those_left_out_on_purpose():
    """A file added to the repository is either in the image or named in NOT_IN_IMAGE: the
    live view's browser code and the vendored uPlot (static/) never reach AppTest, so the
    run below cannot miss them."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    copied = _copied()
    missing = [f for f in tracked if not f.startswith(NOT_IN_IMAGE)
               and not any((ROOT / f) == c or c in (ROOT / f).parents for c in copied)]
    assert not missing, f"deploy/Dockerfile does not COPY {missing}; copy them or add them to NOT_IN_IMAGE"


def test_the_files_the_image_copies_are_enough_to_run_every_page(tmp_path):
    """Copy exactly what the Dockerfile COPYs into an empty directory and run the app there
    (AppTest, in a fresh interpreter that sees only that directory): a module or data file the
    app needs but the image leaves out fails here."""
    for src in _copied():
        assert src.exists(), f"the Dockerfile copies {src.relative_to(ROOT)}, which is not in the repository"
        if src.is_dir():
            shutil.copytree(src, tmp_path / src.name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / src.name)
    script = """
import sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("app.py", default_timeout=60)
at.run()
assert not at.exception, [e.value for e in at.exception]
assert not at.error, [e.value for e in at.error]
pages = sorted(str(p) for p in Path("app_pages").glob("*.py"))
for page in pages:
    at.switch_page(page).run()
    assert not at.exception, (page, [e.value for e in at.exception])
    assert not at.error, (page, [e.value for e in at.error])  # e.g. "The MNIST file ... is missing"
for name in ("ui", "engine"):  # the copies were run, not the repository's
    assert Path(sys.modules[name].__file__).resolve().is_relative_to(Path.cwd().resolve()), name
print("pages", len(pages))
"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert int(out.stdout.split()[-1]) == len(list((ROOT / "app_pages").glob("*.py")))


# ----------------------------------------------------------------------------- Kubernetes
def test_kubernetes_manifest_pieces_fit_together_with_cookie_affinity():
    docs = [d for d in yaml.safe_load_all((DEPLOY / "k8s.yaml").read_text()) if d]
    by_kind = {d["kind"]: d for d in docs}
    dep, svc, ing = by_kind["Deployment"], by_kind["Service"], by_kind["Ingress"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert dep["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert svc["spec"]["selector"].items() <= labels.items()
    assert svc["spec"].get("sessionAffinity", "None") == "None"  # ClientIP would be the school NAT trap
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    port = next(p for p in c["ports"] if p["name"] == svc["spec"]["ports"][0]["targetPort"])
    dockerfile_port = re.search(r"--server\.port=(\d+)", dict(_dockerfile())["CMD"]).group(1)
    assert port["containerPort"] == int(dockerfile_port)
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert c[probe]["httpGet"]["path"] == "/_stcore/health", probe
        assert c[probe]["httpGet"]["port"] in (port["name"], port["containerPort"]), probe
    uid = int(re.search(r"--uid (\d+)", dict((k, a) for k, a in _dockerfile() if k == "RUN" and "useradd" in a)["RUN"]).group(1))
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == uid
    cpu = str(c["resources"]["requests"]["cpu"])
    cores = int(cpu[:-1]) / 1000 if cpu.endswith("m") else float(cpu)
    assert 0 < cores <= 1, cpu  # one Streamlit process never uses more than about one core
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == svc["metadata"]["name"]
    assert backend["port"]["number"] == svc["spec"]["ports"][0]["port"]
    # cookie affinity for the controller the Ingress asks for, and for ingress-nginx
    ann = {**ing["metadata"].get("annotations", {}), **svc["metadata"].get("annotations", {})}
    cls = ing["spec"]["ingressClassName"]
    if cls == "haproxy":
        assert ann["haproxy.org/cookie-persistence"] and ann["haproxy.org/check-http"] == "/_stcore/health"
    assert ann["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(ann["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


# ----------------------------------------------------------------------------- deploy/local's input
def test_deploy_local_refuses_bad_arguments_with_one_sentence_and_starts_nothing(tmp_path):
    import socket

    local = [sys.executable, str(DEPLOY / "local")]
    for args, words in ((["--replicas", "0"], "--replicas must be between 1 and 64, not 0"),
                        (["--port", "70000"], "--port must be a TCP port (1-65535), not 70000")):
        out = subprocess.run(local + args, capture_output=True, text=True, timeout=30)
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr, out.stderr
    tool("haproxy", "haproxy")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run(local + ["--port", str(port), "--logs", str(tmp_path)], capture_output=True, text=True,
                             timeout=60)
    assert out.returncode == 1 and f"port {port} on 127.0.0.1 is in use" in out.stdout, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "replica app1 pid" not in out.stdout  # nothing was started
