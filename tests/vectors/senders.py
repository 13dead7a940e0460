"""The senders' own code as schemes.py uses it: per scheme, one function that signs a delivery
and one that verifies a row at the row's `now`, through the sender's published Python package
(or, where a sender publishes none, the code its documentation or specification gives).

A verifier returns None when it accepts the row, else why it refuses: "signature", "stale",
"future" or "missing", read from the package's own error.
"""
import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import types
from typing import Callable, Optional

import standardwebhooks
import standardwebhooks.webhooks
import stripe
import stripe._webhook
import svix.webhooks
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from slack_sdk.signature import Clock, SignatureVerifier

TOLERANCE = 300  # seconds either side: standardwebhooks', svix's, slack_sdk's and stripe's default


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hmac_sha256(key: str, message: bytes) -> bytes:
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).digest()


@dataclasses.dataclass(frozen=True)
class Key:
    configured: str  # the key column: what a user configures
    signer: str  # what signs: the secret itself, or the Ed25519 seed in hex
    private: str = ""  # the signing_key column


def hmac_key(secret: str) -> Key:
    return Key(secret, secret)


def ed25519_key(label: str, public: Callable[[bytes], str], private: Callable[[bytes], str]) -> Key:
    """A fixed key pair: the seed is the SHA-256 of the label."""
    seed = digest(label)
    raw = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Key(public(raw), seed.hex(), private(seed))


def ed25519_sign(seed_hex: str, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex)).sign(message)


@dataclasses.dataclass
class Row:
    scheme: str
    case: str
    key: Key
    body: bytes
    headers: dict
    now: int
    expected: str = "valid"
    delivery_id: str = ""
    timestamp: str = ""
    reason: str = ""

    def fields(self) -> list:
        headers = json.dumps(self.headers, separators=(",", ":"))
        return [self.scheme, self.case, self.key.configured, self.key.private, self.body.hex(), headers,
                str(self.now), self.expected, self.delivery_id, self.timestamp, self.reason]


def at(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc)


def window(timestamp: int, now: int) -> Optional[str]:
    if timestamp < now - TOLERANCE:
        return "stale"
    return "future" if timestamp > now + TOLERANCE else None


def lower(headers: dict) -> dict:
    return {name.lower(): value for name, value in headers.items()}


@contextlib.contextmanager
def patched(module, name: str, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


# Signers: (signing key, delivery id, timestamp, body) -> one signature entry of the header.


def sign_standard(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    return standardwebhooks.Webhook(secret).sign(msg_id, at(timestamp), body.decode())


def sign_svix(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    return svix.webhooks.Webhook(secret).sign(msg_id, at(timestamp), body.decode())


def sign_v1a(seed_hex: str, msg_id: str, timestamp: int, body: bytes) -> str:
    return "v1a," + b64(ed25519_sign(seed_hex, f"{msg_id}.{timestamp}.".encode() + body))


def sign_stripe(secret: str, _: str, timestamp: int, body: bytes) -> str:
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), secret, timestamp=timestamp)
    stamp, entry = header.split(",")
    assert stamp == f"t={timestamp}", header
    return entry


def sign_slack(secret: str, _: str, timestamp: int, body: bytes) -> str:
    return SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)


def sign_discord(seed_hex: str, _: str, timestamp: int, body: bytes) -> str:
    return ed25519_sign(seed_hex, str(timestamp).encode() + body).hex()


# Verifiers.


class FrozenDatetime(dt.datetime):
    """standardwebhooks reads the time with datetime.now(tz=...): this one answers the row's `now`."""

    at = 0

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.fromtimestamp(cls.at, tz)


STANDARD_REASONS = {"Message timestamp too old": "stale", "Message timestamp too new": "future",
                    "No matching signature found": "signature", "Missing required headers": "missing"}


def verify_standard(row: Row) -> Optional[str]:
    FrozenDatetime.at = row.now
    with patched(standardwebhooks.webhooks, "datetime", FrozenDatetime):
        try:
            if row.scheme == "svix":
                svix.webhooks.Webhook(row.key.configured).verify(row.body, row.headers)
            else:
                standardwebhooks.Webhook(row.key.configured).verify(row.body, row.headers, json_parse=False)
        except standardwebhooks.WebhookVerificationError as refused:
            return STANDARD_REASONS[str(refused)]
    return None


STRIPE_REASONS = [("Timestamp outside the tolerance zone", "stale"), ("No signatures found", "signature"),
                  ("Unable to extract timestamp", "missing"), ("No Stripe-Signature header", "missing")]


def verify_stripe(row: Row) -> Optional[str]:
    header = row.headers.get("Stripe-Signature")
    with patched(stripe._webhook, "time", types.SimpleNamespace(time=lambda: row.now)):
        try:
            if row.body.startswith(b"{"):
                stripe.Webhook.construct_event(row.body, header, row.key.configured, tolerance=TOLERANCE)
            else:  # construct_event would refuse a body that is not a JSON event after verifying it
                stripe.WebhookSignature.verify_header(row.body, header, row.key.configured, TOLERANCE)
        except stripe.SignatureVerificationError as refused:
            found = [reason for start, reason in STRIPE_REASONS if str(refused).startswith(start)]
            if not found:
                raise
            return found[0]
    return None


class FixedClock(Clock):
    def __init__(self, at: int):
        self.at = at

    def now(self) -> float:
        return self.at


def verify_slack(row: Row) -> Optional[str]:
    if SignatureVerifier(row.key.configured, clock=FixedClock(row.now)).is_valid_request(row.body, row.headers):
        return None
    headers = lower(row.headers)
    if "x-slack-request-timestamp" not in headers or "x-slack-signature" not in headers:
        return "missing"
    # is_valid_request answers only True or False: refused at `now` but accepted at the signing
    # time means the timestamp alone is out of the window.
    signed_at = int(headers["x-slack-request-timestamp"])
    if SignatureVerifier(row.key.configured, clock=FixedClock(signed_at)).is_valid_request(row.body, row.headers):
        return window(signed_at, row.now)
    return "signature"


def verify_discord(row: Row) -> Optional[str]:
    """Discord's documented check, Ed25519 over timestamp + body (with cryptography where Discord's
    example uses PyNaCl), then the 300-second window."""
    headers = lower(row.headers)
    signature, timestamp = headers.get("x-signature-ed25519"), headers.get("x-signature-timestamp")
    if signature is None or timestamp is None:
        return "missing"
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(row.key.configured))
        public.verify(bytes.fromhex(signature), timestamp.encode() + row.body)
    except InvalidSignature:
        return "signature"
    return window(int(timestamp), row.now)


def verify_v1a(row: Row) -> Optional[str]:
    """The Standard Webhooks specification's v1a, in the order standardwebhooks checks v1."""
    headers = lower(row.headers)
    msg_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        return "missing"
    late = window(int(timestamp), row.now)
    if late:
        return late
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(row.key.configured.removeprefix("whpk_")))
    for versioned in signatures.split(" "):
        version, _, signature = versioned.partition(",")
        if version == "v1a":
            try:
                signed = f"{msg_id}.{timestamp}.".encode() + row.body
                public.verify(base64.b64decode(signature, validate=True), signed)
                return None
            except InvalidSignature:
                pass
    return "signature"


def verify_github(row: Row) -> Optional[str]:
    """GitHub's documented verify_signature."""
    signature_header = row.headers.get("X-Hub-Signature-256")
    if not signature_header:
        return "missing"
    hash_object = hmac.new(row.key.configured.encode("utf-8"), msg=row.body, digestmod=hashlib.sha256)
    expected_signature = "sha256=" + hash_object.hexdigest()
    return None if hmac.compare_digest(expected_signature, signature_header) else "signature"


def verify_shopify(row: Row) -> Optional[str]:
    """Shopify's documented verify_webhook."""
    hmac_header = row.headers.get("X-Shopify-Hmac-Sha256")
    if hmac_header is None:
        return "missing"
    digest_ = hmac.new(row.key.configured.encode("utf-8"), row.body, digestmod=hashlib.sha256).digest()
    computed_hmac = base64.b64encode(digest_)
    return None if hmac.compare_digest(computed_hmac, hmac_header.encode("utf-8")) else "signature"


VERIFY = {"standard-webhooks": verify_standard, "svix": verify_standard, "standard-webhooks-v1a": verify_v1a,
          "stripe": verify_stripe, "slack": verify_slack, "discord": verify_discord, "github": verify_github,
          "shopify": verify_shopify}
