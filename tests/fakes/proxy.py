"""A reverse proxy on 127.0.0.1 in front of the studio, as nginx would be set up: each request gets
``X-Forwarded-For`` (the client's address, here 127.0.0.1) and goes on to the studio; websockets pass
through. Every request is sent on a connection of its own, so every one carries the header::

    with ForwardingProxy(studio_port) as proxy:
        page.goto(proxy.url)
"""

from __future__ import annotations

import socket
import threading

from tests.services import free_port

__all__ = ["ForwardingProxy"]


class ForwardingProxy:
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port, self.port = upstream_port, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.forwarded = 0  # requests passed on with the header
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._closed = threading.Event()

    def __enter__(self) -> ForwardingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._closed.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, (address, _) = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, address), daemon=True).start()

    def _serve(self, client: socket.socket, address: str) -> None:
        with client, socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            head, rest = head.split(b"\r\n\r\n", 1)
            lines = head.split(b"\r\n")
            upgrade = any(line.lower().startswith(b"upgrade:") for line in lines)
            kept = [line for line in lines if upgrade or not line.lower().startswith(b"connection:")]
            kept += [] if upgrade else [b"Connection: close"]
            kept.append(b"X-Forwarded-For: " + address.encode())
            upstream.sendall(b"\r\n".join(kept) + b"\r\n\r\n" + rest)
            self.forwarded += 1
            back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
            back.start()
            _pipe(client, upstream)
            back.join(timeout=60)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            target.sendall(chunk)
    except OSError:
        pass
    finally:
        try:
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass
