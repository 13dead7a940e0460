#!/usr/bin/env python3
"""Writes vectors.tsv: signatures made with Python's hmac, exactly as the providers'
documentation computes them, independently of hookguard's Rust code.

    python3 tests/vectors/generate.py          # rewrite vectors.tsv
    python3 tests/vectors/generate.py --check  # fail if vectors.tsv is out of date

Columns: name, provider (peopleforce | bindbee | github), secret (hex of its UTF-8),
body (hex), header value.
"""
import base64
import hashlib
import hmac
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
EMPLOYEE_CREATE = (HERE / "employee_create.json").read_text(encoding="utf-8")
NON_ASCII = '{"action":"employee_update","first_name":"Zoë","city":"Київ","note":"✓ 𝄞 日本"}'
LONG_SECRET = "k" * 100  # longer than SHA-256's 64-byte block: HMAC hashes the key first


def peopleforce(secret: str, payload: str) -> str:
    # PeopleForce's Python snippet.
    digest = hmac.new(key=secret.encode("utf-8"), msg=payload.encode("utf-8"), digestmod=hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def bindbee(secret: str, payload: str) -> str:
    # Bindbee's Python snippet.
    digest = hmac.new(secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()


def github(secret: str, payload: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def body_with_dash_and_underscore(secret: str) -> str:
    """The first small delivery whose Bindbee tag has both '-' and '_' in it."""
    for n in range(10_000):
        payload = '{"event":"sync_completed","sync_id":%d}' % n
        tag = bindbee(secret, payload)
        if "-" in tag and "_" in tag:
            return payload
    raise SystemExit("no payload found")


def rows():
    pf, bb = "pf_whsec_2b7e151628aed2a6", "bb_sigkey_abf7158809cf4f3c"
    yield "peopleforce_employee_create", "peopleforce", pf, EMPLOYEE_CREATE
    yield "peopleforce_empty_body", "peopleforce", pf, ""
    yield "peopleforce_non_ascii", "peopleforce", pf, NON_ASCII
    yield "peopleforce_long_secret", "peopleforce", LONG_SECRET, EMPLOYEE_CREATE
    yield "peopleforce_unicode_secret", "peopleforce", "sécret-ключ", '{"action":"employee_delete"}'
    yield "bindbee_employee_create", "bindbee", bb, EMPLOYEE_CREATE
    yield "bindbee_empty_body", "bindbee", bb, ""
    yield "bindbee_non_ascii", "bindbee", bb, NON_ASCII
    yield "bindbee_dash_and_underscore", "bindbee", bb, body_with_dash_and_underscore(bb)
    yield "bindbee_long_secret", "bindbee", LONG_SECRET, '{"event":"sync_error"}'
    yield "github_ping", "github", "It's a Secret to Everybody", "Hello, World!"


SIGN = {"peopleforce": peopleforce, "bindbee": bindbee, "github": github}


def render() -> str:
    lines = ["# name\tprovider\tsecret_hex\tbody_hex\theader_value"]
    for name, provider, secret, payload in rows():
        value = SIGN[provider](secret, payload)
        lines.append("\t".join([name, provider, secret.encode().hex(), payload.encode().hex(), value]))
    return "\n".join(lines) + "\n"


def main() -> None:
    target = HERE / "vectors.tsv"
    text = render()
    if "--check" in sys.argv[1:]:
        if target.read_text(encoding="utf-8") != text:
            raise SystemExit("tests/vectors/vectors.tsv is out of date: run python3 tests/vectors/generate.py")
        print("vectors.tsv is up to date")
        return
    target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
