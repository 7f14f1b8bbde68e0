"""Content-addressed storage of the WvP documents: the bytes are kept under their sha256.

A local folder is the default; an S3-compatible object store (AWS S3, MinIO, Ceph, ...) by configuration. Storing
the same content twice stores it once. Every read checks that the bytes still have the hash they were stored under,
so a damaged or replaced file is never handed out as the signed original.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

PREFIX = "sha256"


def sha256_van(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DocumentNietGevonden(LookupError):
    def __init__(self, sha256: str) -> None:
        super().__init__(f"Het document met sha256 {sha256} staat niet in de documentopslag.")
        self.sha256 = sha256


class DocumentBeschadigd(RuntimeError):
    """The stored bytes no longer match their hash: the copy in the store was altered or damaged."""

    def __init__(self, verwacht: str, gevonden: str) -> None:
        super().__init__(
            f"Het opgeslagen document komt niet overeen met zijn sha256 (verwacht {verwacht}, gevonden {gevonden}); "
            "de opgeslagen kopie is gewijzigd of beschadigd en wordt niet uitgeleverd."
        )
        self.verwacht = verwacht
        self.gevonden = gevonden


class DocumentStore(Protocol):
    def bewaar(self, data: bytes) -> str:
        """Store the bytes; return their sha256 (hex)."""
        ...

    def lees(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`, checked against it. Raises DocumentNietGevonden / DocumentBeschadigd."""
        ...

    def check(self) -> None:
        """Raise when the store cannot be reached."""
        ...


def _controleer(sha256: str, data: bytes) -> bytes:
    gevonden = sha256_van(data)
    if gevonden != sha256:
        raise DocumentBeschadigd(sha256, gevonden)
    return data


class LocalDocumentStore:
    """`<root>/sha256/ab/cd/<hash>`; written to a temporary file and renamed, so a crash never leaves half a file."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def pad(self, sha256: str) -> Path:
        return self.root / PREFIX / sha256[:2] / sha256[2:4] / sha256

    def bewaar(self, data: bytes) -> str:
        sha256 = sha256_van(data)
        pad = self.pad(sha256)
        if pad.exists():
            return sha256
        pad.parent.mkdir(parents=True, exist_ok=True)
        fd, tijdelijk = tempfile.mkstemp(dir=pad.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tijdelijk, pad)
        except BaseException:
            Path(tijdelijk).unlink(missing_ok=True)
            raise
        return sha256

    def lees(self, sha256: str) -> bytes:
        try:
            data = self.pad(sha256).read_bytes()
        except FileNotFoundError:
            raise DocumentNietGevonden(sha256) from None
        return _controleer(sha256, data)

    def check(self) -> None:
        if not os.access(self.root, os.W_OK):
            raise OSError(f"document folder {self.root} is not writable")


class S3DocumentStore:
    """One object per document, key `sha256/<hash>`, in one bucket. The object also carries the hash as
    `x-amz-meta-sha256`, so the store itself shows what each object should be."""

    def __init__(self, client: Any, bucket: str, *, prefix: str = PREFIX) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix.strip("/")

    @classmethod
    def connect(
        cls,
        *,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        create_bucket: bool = False,
    ) -> S3DocumentStore:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=Config(retries={"max_attempts": 5, "mode": "standard"}, s3={"addressing_style": "path"}),
        )
        store = cls(client, bucket)
        if create_bucket:
            store._ensure_bucket(region)
        return store

    def _ensure_bucket(self, region: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.head_bucket(Bucket=self._bucket)
        except ClientError:
            kwargs: dict[str, Any] = {"Bucket": self._bucket}
            if region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
            self._client.create_bucket(**kwargs)

    def key(self, sha256: str) -> str:
        return f"{self._prefix}/{sha256}"

    def bewaar(self, data: bytes) -> str:
        sha256 = sha256_van(data)
        self._client.put_object(
            Bucket=self._bucket,
            Key=self.key(sha256),
            Body=data,
            Metadata={"sha256": sha256},
            ChecksumAlgorithm="SHA256",  # the store checks the upload arrived intact
        )
        return sha256

    def lees(self, sha256: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            response = self._client.get_object(Bucket=self._bucket, Key=self.key(sha256))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise DocumentNietGevonden(sha256) from None
            raise
        return _controleer(sha256, response["Body"].read())

    def check(self) -> None:
        self._client.head_bucket(Bucket=self._bucket)
