"""The content-addressed document stores: a local folder, and an S3-compatible store over real HTTP (moto's
server, which speaks the S3 protocol; no mock of the client). Reads check the hash."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer
from verzuim_cases.adapters.document_store import (
    DocumentBeschadigd,
    DocumentNietGevonden,
    DocumentStore,
    LocalDocumentStore,
    S3DocumentStore,
    sha256_van,
)

INHOUD = b"%PDF-1.7 plan van aanpak, getekend"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_store(endpoint: str, bucket: str) -> S3DocumentStore:
    return S3DocumentStore.connect(
        bucket=bucket,
        endpoint_url=endpoint,
        region="eu-west-1",
        access_key_id="test",
        secret_access_key="test",
        create_bucket=True,
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    if request.param == "local":
        return LocalDocumentStore(tmp_path / "documenten")
    endpoint = request.getfixturevalue("s3_endpoint")
    return s3_store(endpoint, f"docs-{tmp_path.name.lower().replace('_', '-')[-40:]}")


def test_content_is_stored_under_its_hash_and_read_back_checked(store: DocumentStore) -> None:
    sha = store.bewaar(INHOUD)
    assert sha == sha256_van(INHOUD)
    assert store.bewaar(INHOUD) == sha  # the same content is stored once
    assert store.lees(sha) == INHOUD
    store.check()
    with pytest.raises(DocumentNietGevonden):
        store.lees(sha256_van(b"iets anders"))


def test_a_local_file_that_was_altered_is_not_handed_out(tmp_path: Path) -> None:
    store = LocalDocumentStore(tmp_path / "documenten")
    sha = store.bewaar(INHOUD)
    store.pad(sha).write_bytes(INHOUD.replace(b"getekend", b"GEWIJZIGD"))
    with pytest.raises(DocumentBeschadigd, match="komt niet overeen"):
        store.lees(sha)


def test_an_s3_object_that_was_replaced_is_not_handed_out(s3_endpoint: str) -> None:
    store = s3_store(s3_endpoint, "docs-replaced")
    sha = store.bewaar(INHOUD)
    # Someone with access to the bucket overwrites the object directly.
    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="eu-west-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    client.put_object(Bucket="docs-replaced", Key=store.key(sha), Body=b"ander document")
    with pytest.raises(DocumentBeschadigd):
        store.lees(sha)
