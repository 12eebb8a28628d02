#!/usr/bin/python3
"""An SSF receiver that shares no code with SessionHub: PyJWT (Debian's python3-jwt) verifies every SET against
the JWKS that the transmitter's discovery document names.

  ssf-receiver.py serve BASE_URL AUDIENCE    a push endpoint (RFC 8935) on a free loopback port; prints "READY <port>"
  ssf-receiver.py verify BASE_URL AUDIENCE   verifies the SETs given as a JSON array on stdin; prints the results

The push endpoint answers from a script of responses (POST /_control/script, a JSON list of {status, headers, body,
delay}), then with the default answer (202 unless POST /_control/default set another {status}), and records every
push it got (GET /_control/received).
"""
import json
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

CAEP = "https://schemas.openid.net/secevent/caep/event-type/"
RISC = "https://schemas.openid.net/secevent/risc/event-type/"
SSF = "https://schemas.openid.net/secevent/ssf/event-type/"
INITIATING_ENTITIES = {"admin", "user", "policy", "system"}


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


class Verifier:
    def __init__(self, base_url, audience):
        configuration = fetch_json(base_url + "/.well-known/ssf-configuration")
        self.issuer = configuration["issuer"]
        self.jwks_uri = configuration["jwks_uri"]
        self.audience = audience

    def check_subject(self, subject):
        fmt = subject.get("format")
        if fmt == "complex":
            session, user = subject["session"], subject["user"]
            assert session["format"] == "opaque" and session["id"], "complex subject without a session id"
            self.check_subject(user)
        elif fmt == "iss_sub":
            assert subject["iss"] == self.issuer, "iss_sub subject with another issuer"
            assert subject["sub"], "iss_sub subject without sub"
        elif fmt == "opaque":
            assert subject["id"], "opaque subject without id"
        else:
            raise AssertionError("unexpected subject format %r" % fmt)

    def check_event(self, event_type, event):
        if event_type in (CAEP + "session-revoked", CAEP + "credential-change"):
            assert isinstance(event["event_timestamp"], int), "event_timestamp is not an integer"
            assert event["initiating_entity"] in INITIATING_ENTITIES, "bad initiating_entity"
            assert isinstance(event["reason_admin"], dict) and event["reason_admin"].get("en"), "empty reason_admin"
        if event_type == CAEP + "session-established":
            assert isinstance(event["event_timestamp"], int), "event_timestamp is not an integer"
        if event_type == CAEP + "credential-change":
            assert event["credential_type"] and event["change_type"] in ("create", "revoke", "update", "delete")
        if event_type == SSF + "stream-updated":
            assert event["status"] in ("enabled", "paused", "disabled"), "bad stream status"

    def verify(self, token):
        try:
            header = jwt.get_unverified_header(token)
            assert header.get("typ") == "secevent+jwt", "typ is %r" % header.get("typ")
            assert header.get("alg") == "RS256", "alg is %r" % header.get("alg")
            # The JWKS is fetched for every SET, so a key that left it no longer verifies anything.
            keys = {key.key_id: key for key in jwt.PyJWKSet.from_dict(fetch_json(self.jwks_uri)).keys}
            assert header.get("kid") in keys, "kid %r is not in the JWKS" % header.get("kid")
            claims = jwt.decode(
                token,
                keys[header["kid"]].key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "iat", "jti"]},
            )
            assert "sub" not in claims and "exp" not in claims, "sub or exp present"
            events = claims["events"]
            assert isinstance(events, dict) and len(events) == 1, "not exactly one event"
            self.check_subject(claims["sub_id"])
            ((event_type, event),) = events.items()
            self.check_event(event_type, event)
            return {"ok": True, "header": header, "claims": claims}
        except Exception as error:  # every failure is reported, none stops the receiver
            return {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def serve(verifier):
    lock = threading.Lock()
    script = []
    default = {"status": 202}
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body=b"", headers=None):
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            with lock:
                body = json.dumps(received).encode()
            self.answer(200, body, {"Content-Type": "application/json"})

        def do_POST(self):
            text = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            if self.path == "/_control/script":
                with lock:
                    script[:] = json.loads(text)
                return self.answer(204)
            if self.path == "/_control/default":
                with lock:
                    default.clear()
                    default.update(json.loads(text))
                return self.answer(204)
            with lock:
                step = script.pop(0) if script else dict(default)
            time.sleep(step.get("delay", 0))
            record = {
                "at": time.time(),
                "path": self.path,
                "contentType": self.headers.get("Content-Type"),
                "authorization": self.headers.get("Authorization"),
                "answered": step["status"],
                "verified": verifier.verify(text),
            }
            with lock:
                received.append(record)
            body = step.get("body")
            self.answer(
                step["status"],
                json.dumps(body).encode() if body is not None else b"",
                step.get("headers", {}),
            )

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


def main():
    command, base_url, audience = sys.argv[1:4]
    verifier = Verifier(base_url, audience)
    if command == "serve":
        serve(verifier)
    else:
        print(json.dumps([verifier.verify(token) for token in json.load(sys.stdin)]))


if __name__ == "__main__":
    main()
