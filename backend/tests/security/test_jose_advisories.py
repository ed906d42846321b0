"""The open advisories of python-jose and of the libraries it pulls in stay out of reach.

docs/reliability.md ("Dependency advisories") lists each advisory and why it cannot reach the platform:
access tokens are HS256 only, decoded with an allow-list of one algorithm after the header was checked;
the platform never decrypts a JWE and never signs or verifies with ECDSA or RSA. Each test below sends
what an attacker would send for one advisory and expects the same plain 401 as for any other bad token.
The last test shows that the vulnerable code is not even loaded by the server's process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwe, jwt

from aigc.core.config import get_settings
from aigc.core.security import decode_access_token
from tests.conftest import TEST_JWT_SECRET
from tests.factories import SignedIn, signed_in_user

ME = "/api/v1/auth/me"
BACKEND = Path(__file__).resolve().parents[2]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HS256_HEADER = _b64(b'{"alg":"HS256","typ":"JWT"}')
NONE_HEADER = _b64(b'{"alg":"none","typ":"JWT"}')


def _claims(user_id: uuid.UUID) -> dict[str, object]:
    now = int(time.time())
    return {"sub": str(user_id), "ver": 0, "type": "access", "iat": now, "exp": now + 600}


def _pem(key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def es256_token(user_id: uuid.UUID) -> str:
    """CVE-2024-33663 and ecdsa's CVE-2024-23342 both need an ECDSA token to be verified."""
    key = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(user_id), _pem(key).decode(), algorithm="ES256")


def rs256_token(user_id: uuid.UUID) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(_claims(user_id), _pem(key).decode(), algorithm="RS256")


def _hmac_signed(user_id: uuid.UUID, key: bytes) -> str:
    signing_input = f"{HS256_HEADER}.{_b64(json.dumps(_claims(user_id)).encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def hs256_keyed_with_openssh_ecdsa_key(user_id: uuid.UUID) -> str:
    """The CVE-2024-33663 forgery: an HMAC keyed with a public ECDSA key in OpenSSH format, which python-jose
    before 3.4 accepted as an HMAC secret when the verifier passed that public key and no algorithm list."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return _hmac_signed(
        user_id, public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    )


def hs256_keyed_with_der_public_key(user_id: uuid.UUID) -> str:
    """CVE-2026-85394 (python-jose through 3.5.0, no fix): the same forgery with a DER-encoded public key."""
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return _hmac_signed(
        user_id,
        public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
    )


def jwe_bomb(user_id: uuid.UUID, size: int = 50_000_000) -> str:
    """CVE-2024-33664: a JWE whose DEFLATE payload inflates to `size` bytes when decrypted."""
    payload = json.dumps(_claims(user_id)).encode() + b" " * size
    return jwe.encrypt(payload, os.urandom(32), algorithm="dir", encryption="A256GCM", zip="DEF").decode()


def jwe_cbc(user_id: uuid.UUID) -> str:
    """The AES-CBC-HMAC JWE that python-jose's padding oracle (decrypt before the tag check) works on."""
    payload = json.dumps(_claims(user_id)).encode()
    return jwe.encrypt(payload, os.urandom(32), algorithm="dir", encryption="A128CBC-HS256").decode()


def alg_none(user_id: uuid.UUID) -> str:
    return f"{NONE_HEADER}.{_b64(json.dumps(_claims(user_id)).encode())}."


def huge_token(_user_id: uuid.UUID) -> str:
    """Two megabytes that look like a token: parsing it must fail fast, not exhaust the server."""
    return f"{HS256_HEADER}.{'A' * 2_000_000}.{'B' * 43}"


FORGERIES = {
    "ES256 (CVE-2024-33663, ecdsa CVE-2024-23342)": es256_token,
    "RS256 (algorithm confusion)": rs256_token,
    "HS256 keyed with an OpenSSH ECDSA public key (CVE-2024-33663)": hs256_keyed_with_openssh_ecdsa_key,
    "HS256 keyed with a DER public key (CVE-2026-85394)": hs256_keyed_with_der_public_key,
    "JWE decompression bomb (CVE-2024-33664)": jwe_bomb,
    "JWE AES-CBC-HMAC (padding oracle)": jwe_cbc,
    "alg none": alg_none,
    "2 MB token": huge_token,
}


async def _refused(client: httpx.AsyncClient, token: str) -> httpx.Response:
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text[:300]
    assert response.headers.get("www-authenticate") == "Bearer"
    assert "The access token is invalid or has expired" in response.text
    return response


@pytest.mark.parametrize("name", list(FORGERIES))
async def test_forged_token_is_refused(client: httpx.AsyncClient, name: str) -> None:
    signed: SignedIn = await signed_in_user(client)
    # The positive control: the same client and user get in with the token the platform issued.
    assert (await client.get(ME, headers=signed.headers)).status_code == 200
    await _refused(client, FORGERIES[name](signed.user.id))


async def test_issued_tokens_are_hs256_only(client: httpx.AsyncClient) -> None:
    """The platform never signs with ECDSA, so ecdsa's signing side channel (CVE-2024-23342) has no input."""
    signed = await signed_in_user(client)
    assert jwt.get_unverified_header(signed.access_token) == {"alg": "HS256", "typ": "JWT"}


def test_jwe_bomb_is_never_inflated() -> None:
    """Refused from its header: decoding the 50 MB bomb allocates far less than its inflated size."""
    token = jwe_bomb(uuid.uuid4())
    tracemalloc.start()
    try:
        assert decode_access_token(get_settings(), token) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"decoding allocated {peak} bytes"


async def test_tampered_cbc_jwe_gives_no_padding_oracle(client: httpx.AsyncClient) -> None:
    """Bad padding and a bad tag must be indistinguishable; here neither is ever decrypted."""
    header, key, iv, ciphertext, tag = jwe_cbc(uuid.uuid4()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(ciphertext + "=" * (-len(ciphertext) % 4)))
    raw[-1] ^= 0x01  # the last block's padding byte
    bad_padding = ".".join([header, key, iv, _b64(bytes(raw)), tag])
    bad_tag = ".".join([header, key, iv, ciphertext, _b64(b"\0" * 16)])
    first = await _refused(client, bad_padding)
    second = await _refused(client, bad_tag)
    # Every field but the request's own id is the same.
    assert {**first.json(), "request_id": None} == {**second.json(), "request_id": None}


def test_server_process_never_loads_the_vulnerable_code(tmp_path: Path) -> None:
    """In a fresh interpreter, build the app and decode every forgery: python-jose's JWE module and the
    pure-Python ecdsa, rsa and pyasn1 packages (the cryptography backend serves every key type) stay
    unimported, so their advisories have no code to run."""
    user_id = uuid.uuid4()
    tokens = [forge(user_id) for forge in FORGERIES.values()]
    (tmp_path / "tokens.json").write_text(json.dumps(tokens))
    program = """
import json, sys
from aigc.core.config import get_settings
from aigc.core.security import create_access_token, decode_access_token
from aigc.main import create_app

create_app()
settings = get_settings()
tokens = json.load(open(sys.argv[1]))
accepted = [t[:40] for t in tokens if decode_access_token(settings, t) is not None]
assert not accepted, accepted
import uuid
valid, _ = create_access_token(settings, uuid.uuid4(), 0)
assert decode_access_token(settings, valid) is not None
loaded = sorted(m for m in ("jose.jwe", "ecdsa", "rsa", "pyasn1", "jose.backends.ecdsa_backend",
                            "jose.backends.rsa_backend") if m in sys.modules)
print(json.dumps(loaded))
"""
    env = {**os.environ, "JWT_SECRET_KEY": TEST_JWT_SECRET}
    result = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path / "tokens.json")],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,  # importing the whole app takes a few seconds, far more on a loaded machine
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
