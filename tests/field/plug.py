"""A network the test can unplug: a TCP relay between Chromium and the live server.

Playwright's `context.set_offline(True)` does not reach a page's service worker (its fetches
still go out: microsoft/playwright#2311), so "offline" would not be offline for the app.
The browser talks to this relay instead; unplugged, it drops every connection at once, for
the page and its service worker alike. It can also cut one exchange: the request reaches the
server and is answered, but the answer is dropped (the tablet lost its signal after the
server had committed), or the request is cut in the middle of its body.
"""

import contextlib
import socket
import threading


class Plug:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.plugged = True
        self.cuts: list[tuple[str, str]] = []  # (path fragment, "answer" | "body")
        self.cut_done: list[str] = []
        self.hooks: list[tuple[str, object]] = []  # (path fragment, function): run once
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def unplug(self) -> None:
        self.plugged = False
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _close(sock)

    def plug(self) -> None:
        self.plugged = True

    def cut(self, path: str, how: str = "answer") -> None:
        """Cut the next exchange whose request line holds `path`."""
        with self._lock:
            self.cuts.append((path, how))

    def before(self, path: str, function) -> None:
        """Run `function` (in the relay's thread) before the next request whose request line
        holds `path` goes on to the server: e.g. revoke a token in the middle of a sync."""
        with self._lock:
            self.hooks.append((path, function))

    def close(self) -> None:
        self.unplug()
        _close(self._listener)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self.plugged:
                _close(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.target, timeout=60)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._open.update((client, server))
        state = {"cut": None}
        upstream = threading.Thread(target=self._up, args=(client, server, state), daemon=True)
        upstream.start()
        try:
            while True:
                data = server.recv(65536)
                if not data:
                    break
                if state["cut"] == "answer":
                    break  # the server answered; the tablet never hears it
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(client)
            _close(server)
            with self._lock:
                self._open.difference_update((client, server))

    def _up(self, client: socket.socket, server: socket.socket, state: dict) -> None:
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                line = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")
                if line.split(" ")[0] in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
                    self.requests.append(line)
                    with self._lock:
                        hook = next((h for h in self.hooks if h[0] in line), None)
                        if hook:
                            self.hooks.remove(hook)
                    if hook:
                        hook[1]()
                    with self._lock:
                        for rule in self.cuts:
                            if rule[0] in line:
                                self.cuts.remove(rule)
                                self.cut_done.append(line)
                                state["cut"] = rule[1]
                                break
                if state["cut"] == "body":
                    server.sendall(data[: max(1, len(data) // 2)])
                    break  # half a request, then the signal is gone
                server.sendall(data)
        except OSError:
            pass
        finally:
            if state["cut"] == "body":
                _close(server)
                _close(client)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
