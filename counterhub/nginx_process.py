"""nginx started with the shipped site file in front of a gunicorn, for the tests and `make bench`.

The site file is deploy/nginx/counterhub.conf as a self-hoster copies it. Only the values a
self-hoster changes anyway are replaced, by plain string replacement: the port nginx
listens on, the upstream address, the static folder and the log files. Each must be found
in the file, so the file cannot drift away from what is tested. It is wrapped in a minimal
main file (events{}, http{} with the MIME types), as Debian's nginx.conf wraps the files in
sites-enabled. nginx runs in the foreground, as a plain child process: no service, no
files outside its own folder.
"""

import contextlib
import http.client
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from counterhub.gunicorn_process import LOOPBACK, ROOT, STOP_TIMEOUT, free_port, log_tail

SITE_FILE = ROOT / "deploy" / "nginx" / "counterhub.conf"
STATIC_ROOT = ROOT / "staticfiles"

# The shipped values, as they are written in SITE_FILE.
SHIPPED_LISTEN = "listen 80;"
SHIPPED_UPSTREAM = "server 127.0.0.1:8000;"
SHIPPED_STATIC = "alias /srv/counterhub/staticfiles/;"
SHIPPED_ACCESS_LOG = "access_log /var/log/nginx/counterhub.access.log counterhub;"
SHIPPED_ERROR_LOG = "error_log /var/log/nginx/counterhub.error.log;"

MAIN_FILE = """\
{user}worker_processes {workers};
events {{
    worker_connections 4096;
}}
http {{
    {mime_types}default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {site};
}}
"""


class NginxFailed(RuntimeError):
    """nginx is missing, refused its configuration, exited, or did not serve in time."""


def nginx_binary() -> str:
    """Debian's nginx: on PATH, else in /usr/sbin (often not on a normal user's PATH)."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if found is None:
        raise NginxFailed("nginx not found: sudo apt-get install nginx")
    return found


def _mime_types(binary: str) -> Path | None:
    """mime.types beside the nginx.conf this nginx was built to read."""
    built = subprocess.run([binary, "-V"], capture_output=True, text=True, check=False).stderr
    match = re.search(r"--conf-path=(\S+)", built)
    conf_dir = Path(match.group(1)).parent if match else Path("/etc/nginx")
    mime_types = conf_dir / "mime.types"
    return mime_types if mime_types.is_file() else None


def site_config(port: int, upstream: str, work_dir: Path, static_root: Path = STATIC_ROOT) -> str:
    """The shipped site file, listening on LOOPBACK:`port`, proxying to `upstream`
    (host:port or unix:/path), serving `static_root`, logging into `work_dir`."""
    text = SITE_FILE.read_text()
    replacements = {
        SHIPPED_LISTEN: f"listen {LOOPBACK}:{port};",
        SHIPPED_UPSTREAM: f"server {upstream};",
        SHIPPED_STATIC: f"alias {static_root}/;",
        SHIPPED_ACCESS_LOG: f"access_log {work_dir}/access.log counterhub;",
        SHIPPED_ERROR_LOG: f"error_log {work_dir}/error.log;",
    }
    for shipped, used in replacements.items():
        if text.count(shipped) != 1:
            raise NginxFailed(f"{SITE_FILE.name} must contain `{shipped}` exactly once")
        text = text.replace(shipped, used)
    return text


def write_config(
    work_dir: Path, port: int, upstream: str, static_root: Path = STATIC_ROOT, workers: str = "1"
) -> Path:
    """Write the main file and the templated site file into `work_dir`; the main file's path."""
    binary = nginx_binary()
    tmp = work_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    site = work_dir / "counterhub.conf"
    site.write_text(site_config(port, upstream, work_dir, static_root))
    mime_types = _mime_types(binary)
    main = work_dir / "nginx.conf"
    main.write_text(
        MAIN_FILE.format(
            # Started as root, nginx would run its workers as `nobody`, who may not read the
            # test's folders; as anyone else it cannot switch user and the line is an error.
            user="user root;\n" if os.geteuid() == 0 else "",
            workers=workers,
            mime_types=f"include {mime_types};\n    " if mime_types else "",
            tmp=tmp,
            site=site,
        )
    )
    return main


def _command(binary: str, work_dir: Path, main: Path, *extra: str) -> list[str]:
    # -e: the error log before the configuration is read (else /var/log/nginx/error.log).
    directives = f"daemon off; pid {work_dir}/nginx.pid; error_log stderr;"
    return [binary, "-p", str(work_dir), "-c", str(main), "-e", "stderr", "-g", directives, *extra]


def check_config(work_dir: Path, main: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the written configuration."""
    binary = nginx_binary()
    return subprocess.run(
        _command(binary, work_dir, main, "-t"), capture_output=True, text=True, check=False
    )


class NginxProcess:
    """nginx in the foreground in front of `upstream`, on a free loopback port."""

    def __init__(
        self,
        upstream: str,
        work_dir: Path,
        port: int | None = None,
        static_root: Path = STATIC_ROOT,
        workers: str = "1",
    ) -> None:
        self.port = port if port is not None else free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.work_dir = work_dir
        self.log_path = work_dir / "nginx.log"
        self.access_log = work_dir / "access.log"
        self.main = write_config(work_dir, self.port, upstream, static_root, workers)
        command = _command(nginx_binary(), work_dir, self.main)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def wait_until_serving(self, path: str = "/healthz", timeout: float = 30.0) -> None:
        """Return once `path` answers 200 through nginx."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise NginxFailed(f"nginx exited with {self.process.returncode}" + self._log)
            if self._answers(path):
                return
            time.sleep(0.1)
        raise NginxFailed(f"nginx did not serve {self.url}{path} in {timeout} s" + self._log)

    def stop(self) -> None:
        """QUIT: nginx finishes the requests in progress, then exits; KILL after a while."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _answers(self, path: str) -> bool:
        connection = http.client.HTTPConnection(LOOPBACK, self.port, timeout=2)
        try:
            connection.request("GET", path)
            return connection.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    @property
    def _log(self) -> str:
        return log_tail(self.log_path)


@contextlib.contextmanager
def serving(
    upstream: str,
    work_dir: Path,
    port: int | None = None,
    static_root: Path = STATIC_ROOT,
    workers: str = "1",
) -> Iterator[NginxProcess]:
    """nginx in front of `upstream`, from its first 200 on /healthz until the block ends."""
    server = NginxProcess(upstream, work_dir, port, static_root, workers)
    try:
        server.wait_until_serving()
        yield server
    finally:
        server.stop()
