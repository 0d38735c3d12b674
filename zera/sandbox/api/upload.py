"""The multipart `/upload` endpoint: Attachable metadata plus file content (QBO-API.md §2)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from zera.sandbox import faults, jsonio
from zera.sandbox.runtime import SandboxRuntime

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # Intuit's attachment limit is 100 MB


def _parts(content_type: str, body: bytes) -> list[tuple[dict[str, str], bytes]]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise faults.QboFault([faults.FaultError(
            "2000", "Invalid request body", "multipart/form-data needs a boundary")])
    delimiter = b"--" + match.group(1).encode()
    parts: list[tuple[dict[str, str], bytes]] = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk.lstrip(b"\r\n")
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep:
            head, _, content = chunk.partition(b"\n\n")
        headers = {}
        for line in head.decode(errors="replace").splitlines():
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts.append((headers, content.rstrip(b"\r\n")))
    return parts


def parse_upload(runtime: SandboxRuntime, realm: str, content_type: str,
                 body: bytes) -> list[dict[str, Any]]:
    """Create one Attachable per file_content_NN part, with file_metadata_NN as its metadata."""
    if len(body) > MAX_UPLOAD_BYTES:
        raise faults.business("The attachment is larger than 100 MB.")
    metadata: dict[str, dict[str, Any]] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for headers, content in _parts(content_type, body):
        disposition = headers.get("content-disposition", "")
        name_match = re.search(r'name="([^"]+)"', disposition)
        name = name_match.group(1) if name_match else ""
        suffix = name.rsplit("_", 1)[-1]
        if name.startswith("file_metadata"):
            metadata[suffix] = jsonio.loads(content)
        elif name.startswith("file_content"):
            if headers.get("content-transfer-encoding", "").lower() == "base64":
                try:
                    content = base64.b64decode(b"".join(content.split()), validate=True)
                except binascii.Error:
                    raise faults.business("The file content is not valid base64.") from None
            named = re.search(r'filename="([^"]*)"', disposition)
            files[suffix] = (named.group(1) if named else "",
                             content, headers.get("content-type", "application/octet-stream"))
    if not files:
        raise faults.required_param("file_content_01")
    responses: list[dict[str, Any]] = []
    for suffix, (filename, content, kind) in sorted(files.items()):
        meta = dict(metadata.get(suffix, {}))
        meta.setdefault("FileName", filename or f"attachment-{suffix}")
        meta.setdefault("ContentType", kind)
        try:
            doc = runtime.api.create(realm, "Attachable", meta)
            doc = _attach(runtime, realm, doc, content)
            responses.append({"Attachable": doc})
        except faults.QboFault as fault:
            responses.append({"Fault": fault.envelope()})
    return responses


def _attach(runtime: SandboxRuntime, realm: str, doc: dict[str, Any],
            content: bytes) -> dict[str, Any]:
    runtime.store.execute(
        "INSERT OR REPLACE INTO attachments (realm, id, content_type, content) VALUES (?,?,?,?)",
        (realm, int(doc["Id"]), str(doc.get("ContentType", "")), content),
    )
    stored = runtime.store.get(realm, "Attachable", doc["Id"])
    assert stored is not None
    stored.doc["Size"] = len(content)
    stored.doc["FileAccessUri"] = f"/v3/company/{realm}/download/{doc['Id']}"
    runtime.store.put(stored, runtime.clock.now())
    return stored.doc
