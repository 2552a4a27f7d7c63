"""REST identity: who may speak for a `sender`.

The attack: the sender id was the only identity, so anyone who knew (or guessed) a customer's
id continued their conversation and was offered their remembered address. With
`channels.rest.auth_token` or `jwt_secret` set, a request must carry Rasa's credentials: the
shared token (`?token=` or `Authorization: Bearer`), or an HS256 JWT whose `user.username`
(or `sub`) is the sender. Tokens here are made independently of the verifier: the jwt.io
example vector, and HS256 signed below with the standard library by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from framework.app import create_app
from framework.edge.jwt import verify_hs256
from framework.errors import Unauthorized
from framework.flows import load_bot
from framework.serve import open_rest_warning
from framework.stores.memory.sessions import MemoryStore
from framework.stores.session_store import Store
from framework.workspace import Workspace, read_workspace

ROOT = Path(__file__).resolve().parents[2]
COUNTER = ROOT / "tests" / "runtime" / "bots" / "counter"
REST = "/webhooks/rest/webhook"
TOKEN = "backend-token-0123456789"
JWT_KEY = "jwt-key-0123456789abcdef"
NOW = 1795802400.0
JWT_IO = (  # https://jwt.io's example: HS256 with the key "your-256-bit-secret"
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], key: str = JWT_KEY, alg: str = "HS256") -> str:
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


def rasa_user(username: str, role: str = "user", **claims: Any) -> str:
    return jwt({"user": {"username": username, "role": role}, **claims})


@pytest.fixture
async def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[TestClient]:
    monkeypatch.setenv("REST_TOKEN", TOKEN)
    monkeypatch.setenv("REST_JWT", JWT_KEY)
    store = MemoryStore()

    async def opener() -> Store:
        return store

    rest = {"auth_token": "env:REST_TOKEN", "jwt_secret": "env:REST_JWT"}
    workspace = Workspace(root=tmp_path, bots=(COUNTER,), channels={"rest": rest, "web": {}})
    app = create_app(workspace, {"counter": load_bot(COUNTER)}, store=opener, clock=lambda: NOW)
    client = TestClient(TestServer(app))
    await client.start_server()
    yield client
    await client.close()


async def say(client: TestClient, sender: str, credential: str | None, **query: str) -> int:
    headers = {"Authorization": f"Bearer {credential}"} if credential else {}
    response = await client.post(
        REST, json={"sender": sender, "message": "hi"}, headers=headers, params=query
    )
    if response.status == 401:
        assert "error" in await response.json()
    return response.status


async def test_a_stranger_cannot_speak_for_a_customer(shop: TestClient) -> None:
    assert await say(shop, "ada", None) == 401  # before: 200, Ada's conversation went on
    assert await say(shop, "ada", "guessed") == 401
    assert await say(shop, "ada", rasa_user("bob")) == 401  # Bob's token, Ada's sender
    assert await say(shop, "ada", rasa_user("ada", exp=NOW - 1)) == 401  # expired
    assert await say(shop, "ada", rasa_user("ada", nbf=NOW + 60)) == 401  # not yet valid
    assert await say(shop, "ada", jwt({"sub": "ada"}, key="another-key")) == 401  # forged
    assert await say(shop, "ada", jwt({"sub": "ada"}, alg="none")) == 401
    unsigned = b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(b'{"sub":"ada"}') + "."
    assert await say(shop, "ada", unsigned) == 401
    assert await say(shop, "ada", "a.b.c") == 401
    assert await say(shop, "ada", None, token="guessed") == 401


async def test_the_customer_and_the_backend_may(shop: TestClient) -> None:
    assert await say(shop, "ada", rasa_user("ada")) == 200  # Rasa's claim
    assert await say(shop, "ada", jwt({"sub": "ada", "exp": NOW + 60})) == 200  # the standard one
    assert await say(shop, "bob", rasa_user("support", role="admin")) == 200
    assert await say(shop, "ada", TOKEN) == 200  # the shared token, as a bearer
    assert await say(shop, "bob", None, token=TOKEN) == 200  # and as Rasa's ?token=


def test_the_verifier_reads_an_independently_made_token() -> None:
    claims = verify_hs256(JWT_IO, "your-256-bit-secret", NOW)
    assert claims == {"sub": "1234567890", "name": "John Doe", "iat": 1516239022}
    with pytest.raises(Unauthorized):
        verify_hs256(JWT_IO, "not-the-secret", NOW)
    with pytest.raises(Unauthorized):
        verify_hs256(JWT_IO[:-2] + "xx", "your-256-bit-secret", NOW)


def test_theke_run_warns_when_rest_is_open_beyond_localhost(tmp_path: Path) -> None:
    public = Workspace(root=tmp_path, bots=(COUNTER,), host="0.0.0.0")
    warning = open_rest_warning(public)
    assert warning is not None and "without authentication" in warning
    assert open_rest_warning(Workspace(root=tmp_path, bots=(COUNTER,))) is None  # 127.0.0.1
    guarded = Workspace(
        root=tmp_path,
        bots=(COUNTER,),
        host="0.0.0.0",
        channels={"rest": {"jwt_secret": "env:REST_JWT"}, "web": {}},
    )
    assert open_rest_warning(guarded) is None
    off = Workspace(root=tmp_path, bots=(COUNTER,), host="0.0.0.0", channels={"web": {}})
    assert open_rest_warning(off) is None


def test_the_secrets_are_references_in_flows_yaml(tmp_path: Path) -> None:
    (tmp_path / "flows.yaml").write_text(
        f"bots: [{COUNTER}]\nchannels:\n  rest: {{auth_token: env:T, jwt_secret: env:J}}\n"
    )
    workspace, problems = read_workspace(tmp_path)
    assert problems == [] and workspace is not None
    assert workspace.channels["rest"] == {"auth_token": "env:T", "jwt_secret": "env:J"}
    (tmp_path / "flows.yaml").write_text(
        f"bots: [{COUNTER}]\nchannels:\n  rest: {{auth_token: written-in-the-file}}\n"
    )
    assert read_workspace(tmp_path)[0] is None
