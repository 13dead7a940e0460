#!/usr/bin/env python3
"""A webhook receiver for hookguard-proxy's tests, standard library only.

Every request is recorded (method, path, headers in order, body as hex) and answered
`200` with `{"received": N}` and an `X-Upstream: python` header; a request carrying
`X-Reply-Status: CODE` is answered with that status instead, and one carrying
`X-Reply-Delay: SECONDS` waits that long after recording. `GET /_record` returns the
records as JSON and records nothing. With `--delay SECONDS`, every answer waits that long
after recording; with `--record FILE`, each record is also appended to FILE as one JSON
line, written before the answer, so that it survives the process. With `--http10`, it
answers as HTTP/1.0, as `http.server` does by default. Prints `port N` once listening.
"""

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECORDS = []
LOCK = threading.Lock()
DELAY = 0.0
RECORD_FILE = None


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/_record":
            with LOCK:
                body = json.dumps(RECORDS).encode()
            self.reply(200, body)
        else:
            self.receive()

    def do_POST(self):
        self.receive()

    do_PUT = do_POST
    do_PATCH = do_POST
    do_DELETE = do_POST

    def receive(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        record = {
            "method": self.command,
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body": body.hex(),
        }
        with LOCK:
            RECORDS.append(record)
            count = len(RECORDS)
            if RECORD_FILE:
                RECORD_FILE.write(json.dumps(record) + "\n")
                RECORD_FILE.flush()
        delay = DELAY + float(self.headers.get("X-Reply-Delay", "0"))
        if delay:
            time.sleep(delay)
        status = int(self.headers.get("X-Reply-Status", "200"))
        body = json.dumps({"received": count}).encode()
        size = int(self.headers.get("X-Reply-Size", "0"))
        if size:
            body = bytes(index % 251 for index in range(size))
        if self.headers.get("X-Reply-Cut"):
            # Promise the body, send half of it, and hang up.
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.reply(status, body, [("X-Upstream", "python")])

    def reply(self, status, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # A production server's listen backlog (socketserver's default of 5 drops the SYNs of
    # a burst of new connections, such as a proxy's after the upstream restarts).
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # A client that stops waiting (the proxy's upstream timeout) is expected here.
        pass


def main():
    global DELAY, RECORD_FILE
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--record")
    parser.add_argument("--http10", action="store_true")
    args = parser.parse_args()
    if args.http10:
        Receiver.protocol_version = "HTTP/1.0"
    DELAY = args.delay
    if args.record:
        RECORD_FILE = open(args.record, "a", encoding="utf-8")
    server = Server(("127.0.0.1", args.port), Receiver)
    print(f"port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
