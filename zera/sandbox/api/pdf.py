"""`GET /v3/company/{realmId}/{entity}/{id}/pdf`: a one-page PDF of a sales form (PYQB
`download_pdf`). Plain text, enough for a client to store or attach what it downloaded."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request, Response, get
from litestar.params import FromPath

from zera.sandbox import faults
from zera.sandbox.api.accounting import entity_name, guard
from zera.sandbox.api.common import new_tid

PRINTABLE = frozenset({"Invoice", "Estimate", "SalesReceipt", "CreditMemo", "PurchaseOrder"})


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def render_pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF 1.4 with one page of Helvetica text lines."""
    text = "BT /F1 11 Tf 56 780 Td 14 TL " + " ".join(
        f"({_escape(line.encode('latin-1', 'replace').decode('latin-1'))}) '" for line in lines
    ) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return out


def _pdf(request: Request[Any, Any, Any], realm_id: str, entity: str,
         entity_id: str) -> Response[bytes]:
    runtime = guard(request, realm_id)
    name = entity_name(entity)
    if name not in PRINTABLE:
        raise faults.unsupported_operation(f"pdf on {name}")
    with runtime.limiter.admit(realm_id):
        doc = runtime.api.read(realm_id, name, entity_id)
    party = (doc.get("CustomerRef") or doc.get("VendorRef") or {}).get("name", "")
    lines = [f"{name} {doc.get('DocNumber', doc['Id'])}", f"Date: {doc.get('TxnDate', '')}",
             f"For: {party}", ""]
    for line in doc.get("Line") or []:
        if line.get("DetailType") != "SubTotalLineDetail":
            lines.append(f"{line.get('Description', line.get('DetailType', ''))}: "
                         f"{line.get('Amount', '')}")
    lines += ["", f"Total: {doc.get('TotalAmt', '')}"]
    return Response(content=render_pdf(lines), media_type="application/pdf",
                    headers={"intuit_tid": new_tid()})


@get("/v3/company/{realm_id:str}/{entity:str}/{entity_id:str}/pdf")
async def download_pdf(request: Request[Any, Any, Any], realm_id: FromPath[str],
                       entity: FromPath[str], entity_id: FromPath[str]) -> Response[bytes]:
    return await to_thread.run_sync(_pdf, request, realm_id, entity, entity_id)
