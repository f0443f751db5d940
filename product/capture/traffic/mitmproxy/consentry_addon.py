"""
consentry bridge for mitmproxy (8.x and later addon API).

Streams every completed HTTP flow, WebSocket session and client-side TLS failure to the
consentry harness as it happens: one JSON object per line over a loopback TCP connection
(`--set consentry_bridge=HOST:PORT`). Bodies travel as sent (still content-encoded), base64,
so the harness decodes them the same way for every capture adapter. mitmproxy's own flow file
(`-w`) is written by mitmdump itself, for investigators using mitmweb.

Kept small on purpose: no decoding, no detection, no policy here; the harness does all of it.
"""

import base64
import json
import logging
import os
import socket
import threading
import time

from mitmproxy import ctx

try:  # mitmproxy >= 7
    from mitmproxy.version import VERSION as MITMPROXY_VERSION
except Exception:  # pragma: no cover
    MITMPROXY_VERSION = "unknown"

# A client that completes the TLS handshake and closes without a request within this many
# handshake durations (at least MIN_REJECT_S) most likely rejected our certificate: that is how
# OkHttp's CertificatePinner and Node's verifier fail (they check after the handshake).
REJECT_FACTOR = 10
MIN_REJECT_S = 0.1


def _log_error(message):
    # mitmproxy 8 logs through ctx.log; 9+ routes the logging module to its event log.
    log = getattr(ctx, "log", None)
    if log is not None:
        log.error(message)
    else:
        logging.getLogger("consentry").error(message)


def _b64(data):
    return base64.b64encode(data or b"").decode("ascii")


def _headers(headers):
    # latin-1 round-trips any byte, as Node does for raw headers.
    return [[k.decode("latin-1"), v.decode("latin-1")] for k, v in headers.fields]


def _addr(address):
    if not address:
        return None
    host = address[0]
    if host.startswith("::ffff:"):
        host = host[7:]
    return {"ip": host, "port": int(address[1])}


def _text(value):
    if value is None:
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value)


def _tls_cause(error):
    err = (error or "").lower()
    if "unknown ca" in err or "bad certificate" in err or "certificate unknown" in err or "does not trust" in err:
        return "cert-rejected"
    if "cannot agree on a tls version" in err or "unsupported protocol" in err or "wrong version" in err:
        return "protocol-mismatch"
    if "no shared cipher" in err:
        return "no-shared-cipher"
    if "connection closed" in err or "disconnected" in err:
        return "closed-during-handshake"
    if "reset" in err:
        return "reset"
    return "unknown"


class ConsentryBridge:
    def __init__(self):
        self.sock = None
        self.lock = threading.Lock()
        self.broken = False
        # client connection id -> facts needed to recognise a rejected certificate
        self.tls_clients = {}

    def load(self, loader):
        loader.add_option("consentry_bridge", str, "", "HOST:PORT of the consentry harness to stream flows to")
        loader.add_option("consentry_max_body", int, 0, "Bytes of each body sent to the harness (0 = all); longer ones are cut and flagged")

    def running(self):
        target = ctx.options.consentry_bridge
        if not target or self.sock is not None:
            return
        host, port = target.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.settimeout(None)
        self.send({"type": "hello", "mitmproxy": MITMPROXY_VERSION})
        threading.Thread(target=self.exit_when_harness_gone, name="consentry-watchdog", daemon=True).start()

    def exit_when_harness_gone(self):
        # The harness never writes to the bridge: end-of-file means its process is gone (even
        # killed with SIGKILL, which it cannot hand on to us). An orphaned proxy must not linger.
        sock = self.sock
        try:
            while sock is not None and sock.recv(4096):
                pass
        except OSError:
            pass
        if self.sock is None:
            return  # a normal shutdown closed the socket first
        _log_error("consentry harness went away: shutting down")
        try:
            ctx.master.event_loop.call_soon_threadsafe(ctx.master.shutdown)
        except Exception:  # noqa: BLE001 - any failure falls through to the hard exit below
            pass
        time.sleep(5)
        os._exit(0)

    def done(self):
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_WR)
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def send(self, message):
        if self.sock is None or self.broken:
            return
        line = (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")
        with self.lock:
            try:
                self.sock.sendall(line)
            except OSError as e:
                self.broken = True
                _log_error(f"consentry bridge lost: {e}")

    # --- HTTP -----------------------------------------------------------------------------

    def requestheaders(self, flow):
        facts = self.tls_clients.get(flow.client_conn.id)
        if facts is not None:
            facts["used"] = True

    def response(self, flow):
        if flow.websocket is not None:
            return  # reported once the WebSocket ends, with its messages
        self.send({"type": "exchange", "exchange": self.exchange(flow)})

    def error(self, flow):
        exchange = self.exchange(flow)
        exchange["error"] = flow.error.msg if flow.error else "the flow failed"
        self.send({"type": "exchange", "exchange": exchange})

    def websocket_end(self, flow):
        exchange = self.exchange(flow)
        exchange["scheme"] = "wss" if flow.request.scheme == "https" else "ws"
        exchange["websocket"] = [
            {"t": m.timestamp * 1000, "fromClient": bool(m.from_client), "content": _b64(self.capped(m.content))}
            for m in flow.websocket.messages
        ]
        self.send({"type": "exchange", "exchange": exchange})

    def exchange(self, flow):
        req = flow.request
        client = flow.client_conn
        out = {
            "t": req.timestamp_start * 1000,
            "server": {"host": req.host, "port": int(req.port)},
            "scheme": "https" if req.scheme == "https" else "http",
            "request": {
                "method": req.method,
                "url": req.url,
                "httpVersion": req.http_version,
                "headers": _headers(req.headers),
            },
        }
        self.put_body(out["request"], req.raw_content)
        end = None
        if flow.response is not None:
            res = flow.response
            out["response"] = {
                "status": int(res.status_code),
                "reason": res.reason or "",
                "headers": _headers(res.headers),
            }
            self.put_body(out["response"], res.raw_content)
            end = res.timestamp_end
        elif flow.error is not None:
            end = flow.error.timestamp
        if end:
            out["tEnd"] = end * 1000
        peer = _addr(client.peername)
        if peer:
            out["client"] = peer
        server_peer = _addr(flow.server_conn.peername) if flow.server_conn else None
        if server_peer:
            out["server"]["ip"] = server_peer["ip"]
        if req.scheme == "https" and client.tls:
            tls = {}
            if client.sni:
                tls["sni"] = client.sni
            if client.alpn:
                tls["alpn"] = _text(client.alpn)
            if client.tls_version:
                tls["version"] = client.tls_version
            out["tls"] = tls
        return out

    def capped(self, raw):
        cap = ctx.options.consentry_max_body
        return raw[:cap] if cap and raw else raw

    def put_body(self, message, raw):
        raw = raw or b""
        cap = ctx.options.consentry_max_body
        if cap and len(raw) > cap:
            raw = raw[:cap]
            message["truncated"] = True
        message["body"] = _b64(raw)

    # --- TLS failures -----------------------------------------------------------------------

    def tls_established_client(self, data):
        conn = data.conn
        start = conn.timestamp_start or time.time()
        setup = conn.timestamp_tls_setup or time.time()
        self.tls_clients[conn.id] = {"setup_s": max(0.0, setup - start), "at": setup, "used": False, "context": data.context}

    def tls_failed_client(self, data):
        conn = data.conn
        self.tls_clients.pop(conn.id, None)
        self.send({"type": "exchange", "exchange": self.failure(data.context, conn, _tls_cause(conn.error), conn.error)})

    def client_disconnected(self, client):
        facts = self.tls_clients.pop(client.id, None)
        if facts is None or facts["used"]:
            return
        limit = max(facts["setup_s"] * REJECT_FACTOR, MIN_REJECT_S)
        if time.time() - facts["at"] <= limit:
            detail = "closed right after the TLS handshake without a request"
            self.send({"type": "exchange", "exchange": self.failure(facts["context"], client, "closed-after-handshake", detail)})

    def failure(self, context, conn, cause, detail):
        server = context.server
        address = server.address if server is not None else None
        host = conn.sni or (address[0] if address else "unknown")
        out = {
            "t": (conn.timestamp_start or time.time()) * 1000,
            "tEnd": time.time() * 1000,
            "server": {"host": host, "port": int(address[1]) if address else 443},
            "scheme": "https",
            "tls": {"failure": cause, "failureDetail": detail or ""},
        }
        if conn.sni:
            out["tls"]["sni"] = conn.sni
        peer = _addr(conn.peername)
        if peer:
            out["client"] = peer
        return out


addons = [ConsentryBridge()]
