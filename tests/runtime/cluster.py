"""A three-node Redis Cluster on free local ports, started once for the test run.

Three `redis-server --cluster-enabled yes` processes (no persistence, their cluster config in a
temporary folder) joined by `redis-cli --cluster create`, each node a primary of a third of
the slots, so the sessions of a test land on different nodes and the global indexes on one
of them. Tests that run the Redis stores on a cluster call `cluster_url(request.config)`: the
first call starts the cluster (`REDIS_CLUSTER_URL` names one instead), the end of the run
stops it. Each test writes under a key prefix of its own, as on the single Redis.

A missing `redis-server` or `redis-cli` fails the test with what to install; it is never
skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.runtime.processes import free_port, port_answers, stop_process

NODES = 3

_RUNNING = pytest.StashKey["Cluster"]()


@dataclass
class Cluster:
    folder: tempfile.TemporaryDirectory[str]
    ports: list[int]
    processes: list[subprocess.Popen[bytes]]

    @property
    def url(self) -> str:
        return f"redis+cluster://127.0.0.1:{self.ports[0]}"

    def logs(self, node: int) -> list[Path]:
        """What node `node` wrote on stderr (before its log was open) and in its log."""
        port = self.ports[node]
        return [Path(self.folder.name, f"{port}.err"), Path(self.folder.name, f"{port}.log")]

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)
        self.folder.cleanup()


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is not installed: the Redis Cluster tests start a local cluster; "
            "`make services` installs redis-server (Debian's package brings redis-cli)"
        )
    return found


def _wait(condition: str, check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the local Redis Cluster: {condition} within {seconds:.0f} s")
        time.sleep(0.05)


def _listening(cluster: Cluster, node: int) -> bool:
    """Node `node` accepts connections; a node that exited fails with what it said."""
    if cluster.processes[node].poll() is not None:
        said = [path.read_text(errors="replace") for path in cluster.logs(node) if path.exists()]
        if "Address already in use" in "".join(said):
            raise _PortTaken(f"node {node}: a port was taken before it could bind it")
        raise RuntimeError(
            "a node of the local Redis Cluster exited (it needs redis-server 7 or later):\n"
            + "".join(said)[-2000:]
        )
    return port_answers(cluster.ports[node])


def _state_ok(port: int) -> bool:
    with redis.Redis(port=port, socket_timeout=1, decode_responses=True) as node:
        info = node.execute_command("CLUSTER INFO")  # parsed into a dict
    return bool(info.get("cluster_state") == "ok")


_ATTEMPTS = 3
"""Starts tried when a port was taken between choosing and binding it (another test worker's
process, or the same free port handed out twice)."""


class _PortTaken(RuntimeError):
    pass


def start_cluster() -> Cluster:
    """Three primaries, all slots covered, cluster_state:ok on every node."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return _start_cluster()
        except _PortTaken:
            continue
    return _start_cluster()


def _distinct_free_ports(count: int) -> list[int]:
    """`count` free ports, no two alike (a port probed free is free again right after)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def _start_cluster() -> Cluster:
    server, cli = _binary("redis-server"), _binary("redis-cli")
    folder = tempfile.TemporaryDirectory(prefix="theke-cluster-")
    cluster = Cluster(folder, [], [])
    ports = _distinct_free_ports(2 * NODES)
    try:
        for node in range(NODES):
            port, bus = ports[2 * node], ports[2 * node + 1]
            command = [server, "--port", str(port), "--cluster-port", str(bus)]
            command += ["--bind", "127.0.0.1", "--cluster-enabled", "yes"]
            command += ["--cluster-config-file", f"nodes-{port}.conf", "--dir", folder.name]
            command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
            command += ["--logfile", str(Path(folder.name, f"{port}.log"))]
            with Path(folder.name, f"{port}.err").open("wb") as errors:
                process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
            cluster.processes.append(process)
            cluster.ports.append(port)
        for node, port in enumerate(cluster.ports):
            _wait(f"node {port} did not listen", lambda node=node: _listening(cluster, node), 10)
        addresses = [f"127.0.0.1:{port}" for port in cluster.ports]
        created = subprocess.run(
            [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        if created.returncode != 0:
            raise RuntimeError(
                f"redis-cli --cluster create failed:\n{created.stdout}{created.stderr}"
            )
        for port in cluster.ports:
            _wait("the slots were not all served", lambda port=port: _state_ok(port), 20)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def cluster_url(config: pytest.Config) -> str:
    """The run's cluster: `REDIS_CLUSTER_URL`, else started on first use and stopped at the
    end of the run."""
    if os.environ.get("REDIS_CLUSTER_URL"):
        return os.environ["REDIS_CLUSTER_URL"]
    cluster = config.stash.get(_RUNNING, None)
    if cluster is None:
        cluster = config.stash[_RUNNING] = start_cluster()
        config.add_cleanup(cluster.stop)
    return cluster.url
