#!/usr/bin/env python3
"""Writes schemes.tsv: deliveries signed and checked by the senders' own published Python
packages (pinned in requirements.txt), independently of hookguard's Rust code.

    python3 -m pip install -r tests/vectors/requirements.txt
    python3 tests/vectors/schemes.py          # rewrite schemes.tsv
    python3 tests/vectors/schemes.py --check  # fail if schemes.tsv is out of date

Every row is checked before it is written: a `valid` row passes the sender's verifier with the
row's `now` as the current time, an `invalid` row is refused by it for the row's `reason`. Any
disagreement, or an installed version other than the pinned one, stops the script.

Signed and checked by (senders.py):
  standard-webhooks      standardwebhooks.Webhook(key).sign / .verify(json_parse=False)
  svix                   svix.webhooks.Webhook(key).sign / .verify
  stripe                 stripe.WebhookSignature.generate_signature_header / stripe.Webhook.construct_event
                         (stripe.WebhookSignature.verify_header when the body is not a JSON object)
  slack                  slack_sdk.signature.SignatureVerifier(key, clock).generate_signature / .is_valid_request
  discord                Ed25519 of the `cryptography` package over "{timestamp}{body}", as Discord documents
  standard-webhooks-v1a  Ed25519 of the `cryptography` package over "{id}.{timestamp}.{body}", as the Standard
                         Webhooks specification describes (the standardwebhooks package implements v1 only)
  github, shopify        Python's hmac, as the Python snippets of their documentation do

The tolerance is 300 seconds either side, both edges accepted, as standardwebhooks, svix and
slack_sdk enforce it. stripe-python refuses only timestamps older than the tolerance, so no Stripe
row is from the future; Discord documents no window, its rows apply the same 300 seconds.

Columns (tab-separated, after one header line starting with '#'):
  scheme       standard-webhooks | standard-webhooks-v1a | svix | stripe | slack | discord | github | shopify
  case         the row's name, unique within its scheme
  key          the secret or public key as a user configures it: whsec_<base64> (Standard Webhooks, Svix),
               whsec_... used verbatim as the HMAC key (Stripe), the signing secret (Slack, GitHub, Shopify),
               the application's public key in hex (Discord), whpk_<base64 of the 32-byte public key> (v1a)
  signing_key  the private key that signed the row, never needed to verify: the 32-byte seed in hex
               (Discord), whsk_<base64 of the 32-byte seed> (v1a); empty for HMAC schemes
  body_hex     the raw body, hex
  headers      JSON object, header name -> value, as the sender sends them
  now          unix seconds the verifier takes as the current time
  expected     valid | invalid
  delivery_id  valid rows: the delivery id to report (empty when the scheme has none)
  timestamp    valid rows: the signed timestamp to report (empty when the scheme has none)
  reason       invalid rows: signature (no signature matches) | stale | future | missing (a required
               header, or Stripe's t=, is absent)
"""
import dataclasses
import hashlib
import hmac
import importlib.metadata
import pathlib
import sys
import uuid
from typing import Callable, Optional

try:
    from senders import (TOLERANCE, VERIFY, Key, Row, b64, digest, ed25519_key, ed25519_sign, hmac_key,
                         hmac_sha256, sign_discord, sign_slack, sign_standard, sign_stripe, sign_svix, sign_v1a)
except ImportError as missing:
    raise SystemExit(f"{missing}: python3 -m pip install -r tests/vectors/requirements.txt")

HERE = pathlib.Path(__file__).resolve().parent
EMPLOYEE_CREATE = (HERE / "employee_create.json").read_bytes()
TAMPERED = EMPLOYEE_CREATE.replace(b'"John"', b'"Jane"')
NON_ASCII = '{"action":"employee_update","first_name":"Zoë","city":"Київ","note":"✓ 𝄞 日本"}'.encode()
STRIPE_EVENT = b'{"id":"evt_1QhookguardVectors","object":"event","type":"invoice.paid","livemode":false}'
DISCORD_PING = b'{"type":1,"application_id":"1090000000000000000","version":1}'
T0 = 1_764_460_800  # 2025-11-30T00:00:00Z
T1 = 1_700_000_000
T2 = 4_102_444_800  # 2100-01-01T00:00:00Z, past 32 bits
LATE = 42  # seconds between signing and verifying in the valid rows
MSG = "msg_2b4c0e1f9a7d3e5c8b6a4f2e0d1"
OTHER_MSG = "msg_7e3a9c1b5d0f2e4a6c8b0d9f1e3"
COLUMNS = ["scheme", "case", "key", "signing_key", "body_hex", "headers", "now",
           "expected", "delivery_id", "timestamp", "reason"]


@dataclasses.dataclass
class Timed:
    """A scheme whose signature covers a timestamp (and, with id_header, a delivery id)."""

    name: str
    id_header: Optional[str]
    ts_header: Optional[str]  # None: the timestamp is the t= entry of the signature header
    sig_header: str
    key: Key
    other: Key
    sign: Callable[[str, str, int, bytes], str]  # (signer, id, timestamp, body) -> one signature entry
    join: Callable[[Optional[int], list], str]  # (timestamp, entries) -> the signature header
    empty: str  # an entry with an empty signature
    unknown: Optional[Callable[[str], str]]  # the entry relabelled with a version the scheme skips
    truncate: Callable[[str], str]
    multi: bool  # the header carries a list of signatures
    future: bool  # the sender's verifier refuses timestamps from the future

    def entry(self, body: bytes, timestamp: int, msg_id: str, key: Optional[Key] = None) -> str:
        return self.sign((key or self.key).signer, msg_id, timestamp, body)

    def row(self, case, body, timestamp, now, entries=None, msg_id="", reason="", omit=(), key=None) -> Row:
        msg_id = msg_id or "msg_" + digest(f"{self.name} {case}").hex()[:27]
        headers = {}
        if self.id_header and "id" not in omit:
            headers[self.id_header] = msg_id
        if self.ts_header and "timestamp" not in omit:
            headers[self.ts_header] = str(timestamp)
        if "signature" not in omit:
            entries = entries if entries is not None else [self.entry(body, timestamp, msg_id, key)]
            headers[self.sig_header] = self.join(None if "timestamp" in omit else timestamp, entries)
        row = Row(self.name, case, key or self.key, body, headers, now)
        if reason:
            row.expected, row.reason = "invalid", reason
        else:
            row.delivery_id, row.timestamp = (msg_id if self.id_header else ""), str(timestamp)
        return row

    def rows(self):
        """The cases every timestamped scheme has."""
        good = lambda key=None: self.entry(EMPLOYEE_CREATE, T0, MSG, key)  # noqa: E731
        body = EMPLOYEE_CREATE
        yield self.row("employee_create", body, T0, T0 + LATE)
        yield self.row("empty_body", b"", T1, T1 + LATE)
        yield self.row("non_ascii", NON_ASCII, T2, T2 + LATE)
        yield self.row("tolerance_past_edge", body, T0 - TOLERANCE, T0)
        yield self.row("tolerance_future_edge", body, T0 + TOLERANCE, T0)
        if self.multi:
            yield self.row("rotation_second_matches", body, T0, T0, [good(self.other), good()], MSG)
            yield self.row("rotation_first_matches", body, T0, T0, [good(), good(self.other)], MSG)
            yield self.row("empty_then_valid", body, T0, T0, [self.empty, good()], MSG)
        yield self.row("tampered_body", TAMPERED, T0, T0, [good()], MSG, "signature")
        yield self.row("wrong_key", body, T0, T0, [good(self.other)], MSG, "signature")
        yield self.row("stale", body, T0 - TOLERANCE - 1, T0, reason="stale")
        yield self.row("stale_one_day", body, T0 - 86_400, T0, reason="stale")
        if self.future:
            yield self.row("future", body, T0 + TOLERANCE + 1, T0, reason="future")
        yield self.row("timestamp_changed", body, T0 + 1, T0, [good()], MSG, "signature")
        if self.id_header:
            yield self.row("id_changed", body, T0, T0, [good()], OTHER_MSG, "signature")
            yield self.row("missing_id", body, T0, T0, reason="missing", omit=("id",))
        yield self.row("empty_signature", body, T0, T0, [self.empty], reason="signature")
        if self.unknown:
            yield self.row("unknown_version_only", body, T0, T0, [self.unknown(good())], MSG, "signature")
        yield self.row("truncated_signature", body, T0, T0, [self.truncate(good())], MSG, "signature")
        yield self.row("missing_timestamp", body, T0, T0, reason="missing", omit=("timestamp",))
        yield self.row("missing_signature", body, T0, T0, reason="missing", omit=("signature",))


def relabel(version: str, separator: str) -> Callable[[str], str]:
    return lambda entry: version + separator + entry.split(separator, 1)[1]


def cut(separator: str, keep: int) -> Callable[[str], str]:
    return lambda entry: entry[: entry.index(separator) + 1 + keep]


def spaced(_: Optional[int], entries: list) -> str:
    return " ".join(entries)


def single(_: Optional[int], entries: list) -> str:
    return entries[0]


def stripe_join(timestamp: Optional[int], entries: list) -> str:
    return ",".join(([f"t={timestamp}"] if timestamp is not None else []) + entries)


def whsec(label: str) -> Key:
    return hmac_key("whsec_" + b64(digest(label)))


def whpk(label: str) -> Key:
    return ed25519_key(label, lambda raw: "whpk_" + b64(raw), lambda seed: "whsk_" + b64(seed))


def hex32(prefix: str, label: str) -> Key:
    return hmac_key(prefix + digest(label).hex()[:32])


STANDARD = Timed("standard-webhooks", "webhook-id", "webhook-timestamp", "webhook-signature",
                 whsec("standard-webhooks key"), whsec("standard-webhooks other key"), sign_standard, spaced,
                 "v1,", relabel("v2", ","), cut(",", 8), multi=True, future=True)
SVIX = Timed("svix", "svix-id", "svix-timestamp", "svix-signature", whsec("svix key"), whsec("svix other key"),
             sign_svix, spaced, "v1,", relabel("v2", ","), cut(",", 8), multi=True, future=True)
V1A = Timed("standard-webhooks-v1a", "webhook-id", "webhook-timestamp", "webhook-signature", whpk("v1a key"),
            whpk("v1a other key"), sign_v1a, spaced, "v1a,", relabel("v1", ","), cut(",", 8), multi=True, future=True)
STRIPE = Timed("stripe", None, None, "Stripe-Signature", hex32("whsec_", "stripe key"),
               hex32("whsec_", "stripe other key"), sign_stripe, stripe_join, "v1=", relabel("v0", "="), cut("=", 32),
               multi=True, future=False)
SLACK = Timed("slack", None, "X-Slack-Request-Timestamp", "X-Slack-Signature", hex32("", "slack key"),
              hex32("", "slack other key"), sign_slack, single, "v0=", relabel("v1", "="), cut("=", 32),
              multi=False, future=True)
DISCORD = Timed("discord", None, "X-Signature-Timestamp", "X-Signature-Ed25519",
                ed25519_key("discord key", bytes.hex, bytes.hex),
                ed25519_key("discord other key", bytes.hex, bytes.hex),
                sign_discord, single, "", None, lambda entry: entry[:64], multi=False, future=True)


def standard_extra():
    # The vector every Standard Webhooks library tests its sign function with.
    published, body, msg_id, timestamp = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", b'{"test": 2432232314}', \
        "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330
    row = STANDARD.row("published_example", body, timestamp, timestamp, msg_id=msg_id, key=hmac_key(published))
    assert row.headers["webhook-signature"] == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", row.headers
    yield row
    both = [V1A.entry(EMPLOYEE_CREATE, T0, MSG), STANDARD.entry(EMPLOYEE_CREATE, T0, MSG)]
    yield STANDARD.row("v1a_alongside", EMPLOYEE_CREATE, T0, T0, both, MSG)


def v1a_extra():
    both = [STANDARD.entry(EMPLOYEE_CREATE, T0, MSG), V1A.entry(EMPLOYEE_CREATE, T0, MSG)]
    yield V1A.row("v1_alongside", EMPLOYEE_CREATE, T0, T0, both, MSG)
    yield V1A.row("unknown_version_only_v2", EMPLOYEE_CREATE, T0, T0, [relabel("v2", ",")(both[1])], MSG, "signature")


def stripe_extra():
    yield STRIPE.row("event", STRIPE_EVENT, T1, T1 + LATE)
    rolling = [STRIPE.entry(STRIPE_EVENT, T0, "", STRIPE.other), STRIPE.entry(STRIPE_EVENT, T0, "")]
    yield STRIPE.row("rolling_verified_with_old_secret", STRIPE_EVENT, T0, T0, rolling, key=STRIPE.other)
    test_mode = hex32("whsec_", "stripe test-mode key").signer
    v0 = "v0=" + hmac_sha256(test_mode, f"{T0}.".encode() + STRIPE_EVENT).hex()
    yield STRIPE.row("with_v0", STRIPE_EVENT, T0, T0, [rolling[1], v0])


def slack_extra():
    # Slack's documented example (docs.slack.dev, "Verifying requests from Slack").
    body = (b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
            b"%2F96rGlfmibIGlgcZRskXaIFfN"
            b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
    secret = hmac_key("8f742231b10e8888abcd99yyyzzz85a5")
    row = SLACK.row("documented_example", body, 1531420618, 1531420618, key=secret)
    assert row.headers[SLACK.sig_header] == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    yield row


def discord_extra():
    yield DISCORD.row("ping", DISCORD_PING, T0, T0 + LATE)
    body_alone = ed25519_sign(DISCORD.key.signer, EMPLOYEE_CREATE).hex()
    yield DISCORD.row("timestamp_not_signed", EMPLOYEE_CREATE, T0, T0, [body_alone], reason="signature")


def body_only(scheme, header, encode, secret, extra, id_header):
    """GitHub and Shopify: an HMAC of the body alone; the delivery id header is not signed."""

    def row(case, body, value=None, reason="", omit=False):
        delivery = str(uuid.UUID(bytes=digest(f"{scheme} {case}")[:16]))
        headers = {id_header: delivery, **extra}
        if not omit:
            headers[header] = value if value is not None else encode(hmac_sha256(secret, body))
        found = Row(scheme, case, hmac_key(secret), body, headers, T0)
        if reason:
            found.expected, found.reason = "invalid", reason
        else:
            found.delivery_id = delivery
        return found

    yield row("employee_create", EMPLOYEE_CREATE)
    yield row("empty_body", b"")
    yield row("non_ascii", NON_ASCII)
    good = encode(hmac_sha256(secret, EMPLOYEE_CREATE))
    yield row("tampered_body", TAMPERED, good, "signature")
    yield row("wrong_key", EMPLOYEE_CREATE, encode(hmac_sha256(secret + "x", EMPLOYEE_CREATE)), "signature")
    yield row("empty_signature", EMPLOYEE_CREATE, encode(b""), "signature")
    yield row("truncated_signature", EMPLOYEE_CREATE, good[: len(good) // 2], "signature")
    yield row("missing_signature", EMPLOYEE_CREATE, reason="missing", omit=True)


def github_rows():
    extra = {"X-GitHub-Event": "push", "X-GitHub-Hook-ID": "292430182"}
    yield from body_only("github", "X-Hub-Signature-256", lambda mac: "sha256=" + mac.hex(), "github key", extra,
                         "X-GitHub-Delivery")
    # GitHub's published example (docs.github.com, "Validating webhook deliveries").
    secret, payload = "It's a Secret to Everybody", b"Hello, World!"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert "sha256=" + hmac_sha256(secret, payload).hex() == expected
    delivery = "9e1d4c3a-0b6f-11f0-8a5e-3c7d2b1f4e60"
    yield Row("github", "published_example", hmac_key(secret), payload,
              {"X-GitHub-Delivery": delivery, "X-Hub-Signature-256": expected}, T0, delivery_id=delivery)
    sha1 = "sha1=" + hmac.new(secret.encode(), payload, hashlib.sha1).hexdigest()
    yield Row("github", "sha1_only", hmac_key(secret), payload,
              {"X-GitHub-Delivery": delivery, "X-Hub-Signature": sha1}, T0, "invalid", reason="missing")


def shopify_rows():
    extra = {"X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": "hookguard-vectors.myshopify.com",
             "X-Shopify-API-Version": "2025-10", "X-Shopify-Triggered-At": "2025-11-30T00:00:00.000Z"}
    yield from body_only("shopify", "X-Shopify-Hmac-Sha256", b64, hex32("shpss_", "shopify key").signer, extra,
                         "X-Shopify-Webhook-Id")


def rows():
    for scheme, extra in [(STANDARD, standard_extra), (V1A, v1a_extra), (SVIX, tuple), (STRIPE, stripe_extra),
                          (SLACK, slack_extra), (DISCORD, discord_extra)]:
        yield from scheme.rows()
        yield from extra()
    yield from github_rows()
    yield from shopify_rows()


def checked(row: Row) -> Row:
    refused = VERIFY[row.scheme](row)
    if row.expected == "valid" and refused is not None:
        raise SystemExit(f"{row.scheme} {row.case}: the sender's verifier refuses a valid row ({refused})")
    if row.expected == "invalid" and refused != row.reason:
        raise SystemExit(f"{row.scheme} {row.case}: expected refusal '{row.reason}', "
                         f"the verifier answers {refused!r}")
    return row


def check_pins() -> None:
    for line in (HERE / "requirements.txt").read_text(encoding="utf-8").splitlines():
        requirement = line.split("#")[0].strip()
        if requirement:
            name, pinned = requirement.split("==")
            installed = importlib.metadata.version(name)
            if installed != pinned:
                raise SystemExit(f"{name} {installed} is installed, requirements.txt pins {pinned}: "
                                 "python3 -m pip install -r tests/vectors/requirements.txt")


def render(report: bool) -> str:
    lines, seen, counts = ["# " + "\t".join(COLUMNS)], set(), {}
    for row in map(checked, rows()):
        fields = row.fields()
        if (row.scheme, row.case) in seen or any(c in field for field in fields for c in "\t\r\n"):
            raise SystemExit(f"{row.scheme} {row.case}: a duplicate case, or a tab or newline in a field")
        seen.add((row.scheme, row.case))
        counts[row.scheme, row.expected] = counts.get((row.scheme, row.expected), 0) + 1
        lines.append("\t".join(fields))
    for (scheme, expected), count in sorted(counts.items()) if report else ():
        print(f"{scheme:22} {expected:8} {count:3}")
    return "\n".join(lines) + "\n"


def main() -> None:
    check_pins()
    target = HERE / "schemes.tsv"
    check = "--check" in sys.argv[1:]
    text = render(report=not check)
    if check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            raise SystemExit("tests/vectors/schemes.tsv is out of date: run python3 tests/vectors/schemes.py")
        print("schemes.tsv is up to date")
        return
    target.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
