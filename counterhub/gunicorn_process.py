"""gunicorn started as the Procfile's `web:` command starts it, for the tests and `make bench`.

The command is read from the Procfile, so what the tests exercise and the benchmark
measures is what a deployment runs (`gunicorn.conf.py` included). Only three things
change: the address (a free loopback port, or the one asked for), the gunicorn of this
interpreter (the virtualenv's), and, for the benchmark's server ceiling, the application.
The server's output goes to a log file: a pipe that nobody reads fills up and then stops
every worker.
"""

import contextlib
import http.client
import multiprocessing
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROCFILE = ROOT / "Procfile"
LOOPBACK = "127.0.0.1"
SERVICE_APP = "counterhub.wsgi"
STOP_TIMEOUT = 30.0


class GunicornFailed(RuntimeError):
    """gunicorn exited, or did not serve in time."""


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def procfile_command(app: str, bind: str) -> list[str]:
    """The Procfile's `web:` command, bound to `bind`, serving `app`, run by this
    interpreter's gunicorn."""
    lines = PROCFILE.read_text().splitlines()
    web = next((line for line in lines if line.startswith("web:")), "")
    words = shlex.split(web.removeprefix("web:"))
    if words[:2] != ["gunicorn", SERVICE_APP] or "--bind" not in words[:-1]:
        raise GunicornFailed(
            f"the Procfile's web command is not `gunicorn {SERVICE_APP} --bind ...`"
        )
    words[1] = app
    words[words.index("--bind") + 1] = bind
    return [sys.executable, "-m", *words]


def log_tail(log_path: Path) -> str:
    """The end of a server's log, for the message of a failure to start or stop."""
    try:
        return f"; its log ({log_path}):\n{log_path.read_text()[-5000:]}"
    except OSError:
        return ""


class GunicornProcess:
    """One gunicorn master and its workers, started at once; `stop()` ends them."""

    # A metrics directory made for this server alone, removed by stop(); servers started
    # from another command line (the bench's granian and uvicorn) have none.
    _metrics_dir: str | None = None

    def __init__(
        self,
        env: Mapping[str, str],
        log_path: Path,
        app: str = SERVICE_APP,
        port: int | None = None,
    ) -> None:
        self.port = port if port is not None else free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = log_path
        self.command = procfile_command(app, f"{LOOPBACK}:{self.port}")
        # gunicorn.conf.py's rule for the number of workers.
        self.expected_workers = int(env.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
        # Each server its own metrics directory (gunicorn.conf.py empties it at start):
        # servers sharing the data folder's would wipe and add up each other's figures.
        env = dict(env)
        if "PROMETHEUS_MULTIPROC_DIR" not in env:
            self._metrics_dir = env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
                prefix="counterhub-metrics-"
            )
        self.metrics_dir = Path(env["PROMETHEUS_MULTIPROC_DIR"])
        # The child keeps its own copy of the descriptor; this one can close at once.
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_serving(self, path: str = "/healthz", timeout: float = 60.0) -> None:
        """Return once `path` gets an HTTP answer (any status) and every worker is up:
        gunicorn starts them in turn, and a measurement must not pay for their start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise GunicornFailed(f"gunicorn exited with {self.process.returncode}" + self._log)
            if self._answers(path) and self._workers_up():
                return
            time.sleep(0.1)
        raise GunicornFailed(f"gunicorn did not serve {self.url}{path} in {timeout} s" + self._log)

    def worker_pids(self) -> list[int]:
        """The workers' process ids (Linux: read from /proc)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_memory_mb(self) -> dict[int, float]:
        """Each worker's peak resident set (VmHWM), in MB, by process id."""
        peaks: dict[int, float] = {}
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks[pid] = int(line.split()[1]) / 1024
        return peaks

    def stop(self) -> None:
        """TERM, as a deployment stops it (workers finish their requests), then KILL."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._metrics_dir is not None:
            shutil.rmtree(self._metrics_dir, ignore_errors=True)

    def _answers(self, path: str) -> bool:
        # http.client rather than urllib: no proxy from the environment gets in the way.
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def _workers_up(self) -> bool:
        # Without /proc (not Linux) the workers cannot be counted: an answer must do.
        return not Path("/proc").is_dir() or len(self.worker_pids()) >= self.expected_workers

    @property
    def _log(self) -> str:
        return log_tail(self.log_path)


@contextlib.contextmanager
def serving(
    env: Mapping[str, str],
    log_path: Path,
    app: str = SERVICE_APP,
    port: int | None = None,
    ready_path: str = "/healthz",
) -> Iterator[GunicornProcess]:
    """gunicorn serving `app`, from its first answer on `ready_path` until the block ends."""
    server = GunicornProcess(env, log_path, app, port)
    try:
        server.wait_until_serving(ready_path)
        yield server
    finally:
        server.stop()
