#!/usr/bin/env python3
"""Writes the fuzz seed corpora from tests/vectors/vectors.tsv (nothing is committed):

    python3 fuzz/seeds.py        # fills fuzz/corpus/{parse_header,verify,incremental_verify,scheme_headers}/

The byte layouts are described in fuzz/src/lib.rs; the provider and secret tables here
mirror providers() and secrets() there, and SCHEMES the order of schemes().
"""
import base64
import hashlib
import hmac
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent
VECTORS = ROOT.parent / "tests" / "vectors" / "vectors.tsv"
ENCODINGS = ["hex", "b64", "b64-nopad", "b64url", "b64url-nopad"]
PREFIXES = ["", "sha256=", "v1=", "t=1,v1="]
# (encoding, prefix) per config index, as providers() builds them.
PROVIDERS = [("hex", "sha256="), ("b64url", "")] + [(e, p) for e in ENCODINGS for p in PREFIXES]
PRESET = {"peopleforce": 0, "bindbee": 1, "github": 2 + 0 * 4 + 1}
# scheme_headers: the schemes in schemes() order, with a signature of each one's shape.
NOW = b"1764460800"
HEX_TAG = b"00" * 32
B64_TAG = base64.b64encode(bytes(32))
SCHEMES = [
    b"sha256=" + HEX_TAG,
    B64_TAG,
    b"t=" + NOW + b",v1=" + HEX_TAG + b",v0=" + HEX_TAG,
    b"v0=" + HEX_TAG,
    b"v1," + B64_TAG + b" v2,abc v1,",
    b"v1," + B64_TAG,
    b"v1a," + base64.b64encode(bytes(64)) + b" v1," + B64_TAG,
    b"00" * 64,
]


def encode(config, tag):
    encoding, prefix = PROVIDERS[config]
    text = {
        "hex": tag.hex(),
        "b64": base64.b64encode(tag).decode(),
        "b64-nopad": base64.b64encode(tag).decode().rstrip("="),
        "b64url": base64.urlsafe_b64encode(tag).decode(),
        "b64url-nopad": base64.urlsafe_b64encode(tag).decode().rstrip("="),
    }[encoding]
    return (prefix + text).encode()


def main():
    rows = [l.split("\t") for l in VECTORS.read_text().splitlines() if l and not l.startswith("#")]
    secrets = []
    for row in rows:
        secret = bytes.fromhex(row[2])
        if secret not in secrets:
            secrets.append(secret)
    targets = ("parse_header", "verify", "incremental_verify", "scheme_headers")
    out = {name: ROOT / "corpus" / name for name in targets}
    for path in out.values():
        path.mkdir(parents=True, exist_ok=True)

    def write(target, name, data):
        (out[target] / name).write_bytes(data)

    for name, provider, secret_hex, body_hex, header in rows:
        config = PRESET[provider]
        secret, body, header = bytes.fromhex(secret_hex), bytes.fromhex(body_hex), header.encode()
        keys = secrets.index(secret)
        write("parse_header", f"{name}", bytes([config]) + header)
        write("parse_header", f"{name}-twice", bytes([config | 0x80]) + header)
        write("parse_header", f"{name}-blanks", bytes([config]) + b" \t" + header + b" ")
        write("parse_header", f"{name}-upper", bytes([config]) + header.upper())
        tag = hmac.new(secret, body, hashlib.sha256).digest()
        for other in range(len(PROVIDERS)):
            write("parse_header", f"{name}-as-{other}", bytes([other]) + encode(other, tag))
        write("verify", name, bytes([config, keys]) + struct.pack("<H", len(header)) + header + body)
        write("verify", f"{name}-lenient", bytes([config | 0x80, keys]) + struct.pack("<H", len(header)) + header + body)
        cuts = [1, len(body) // 2, max(len(body) - 1, 0)]
        chunked = bytes([config, keys, 0, len(cuts)]) + b"".join(struct.pack("<H", c) for c in cuts)
        write("incremental_verify", name, chunked + body)
    write("verify", "non-utf8", bytes([0, 0, 0, 0]) + b'{"name":"\xff\xfe"}')
    for config, signature in enumerate(SCHEMES):
        for flags, name in [(0, "shaped"), (0x40, "signed"), (0x08, "no-id"), (0x10, "no-timestamp")]:
            for stamp in (NOW, b"1764460000", b" " + NOW + b" "):
                data = bytes([config | flags]) + signature + b"\nmsg_2KWPBgLlAfxdpx2AI54pPJ85f4W\n" + stamp
                write("scheme_headers", f"{config}-{name}-{stamp.strip().decode()}-{len(stamp)}", data)
    write("incremental_verify", "non-utf8-split", bytes([0, 0, 0, 2, 11, 0, 12, 0]) + '{"name":"Zoë ✓"}'.encode())


if __name__ == "__main__":
    main()
