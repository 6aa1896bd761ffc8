"""Another machine on the network, for tests that need a visitor who is not this one: a Linux network
namespace joined to this one by a veth pair (``10.231.N.1`` here, ``10.231.N.2`` there), and a Chromium
wrapper that runs the browser inside it. Needs root (CI runs as root); ``Unavailable`` otherwise::

    with other_machine(tmp_path) as there:
        chromium(f"--host-resolver-rules=MAP localhost {there.host_ip}", executable=there.chromium)
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser import CHROMIUM

__all__ = ["OtherMachine", "Unavailable", "other_machine"]


class Unavailable(RuntimeError):
    """This machine cannot make a network namespace (not root, no ``ip``, no kernel support)."""


@dataclass(frozen=True)
class OtherMachine:
    name: str  # the namespace
    host_ip: str  # this machine's address as the other one reaches it
    ip: str  # the other machine's own address
    chromium: Path  # runs Chromium inside the namespace (Playwright's pipe survives `ip netns exec`)


def _ip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)


def _free_subnet() -> int:
    """A third octet of 10.231.N.0/30 no interface here uses (tests running side by side get their own)."""
    used = _ip("-o", "-4", "addr").stdout
    for n in [(os.getpid() + i) % 250 + 1 for i in range(250)]:
        if f"10.231.{n}." not in used:
            return n
    raise Unavailable("every 10.231.N.0/30 subnet is taken")


@contextmanager
def other_machine(folder: Path) -> Iterator[OtherMachine]:
    """A network namespace with one veth link to this one, removed (with the link) afterwards."""
    if os.geteuid() != 0:
        raise Unavailable("making a network namespace needs root")
    n, tag = _free_subnet(), f"{os.getpid() % 100000}"
    name, here, there = f"vrt{tag}", f"vrh{tag}", f"vrn{tag}"
    host_ip, ip = f"10.231.{n}.1", f"10.231.{n}.2"
    # no IPv6 in the namespace: a link-local address settling a second after the link is up made Chromium
    # drop the page's requests in flight (net::ERR_NETWORK_CHANGED), and the page never drew
    no_ipv6 = [("netns", "exec", name, "sysctl", "-qw", f"net.ipv6.conf.{conf}.disable_ipv6=1")
               for conf in ("all", "default")]
    steps = [("netns", "add", name), *no_ipv6, ("link", "add", here, "type", "veth", "peer", "name", there),
             ("link", "set", there, "netns", name), ("addr", "add", f"{host_ip}/30", "dev", here),
             ("link", "set", here, "up"), ("-n", name, "addr", "add", f"{ip}/30", "dev", there),
             ("-n", name, "link", "set", there, "up"), ("-n", name, "link", "set", "lo", "up"), *no_ipv6]
    try:
        for step in steps:
            done = _ip(*step)
            if done.returncode != 0:
                raise Unavailable(f"`ip {' '.join(step)}` failed: {done.stderr.strip()}")
        wrapper = Path(folder) / "chromium-elsewhere"
        wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {name} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        yield OtherMachine(name, host_ip, ip, wrapper)
    finally:
        _ip("netns", "del", name)  # takes its end of the link, and so the link, with it
        _ip("link", "del", here)
