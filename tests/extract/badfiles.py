"""Hostile and broken inputs, built in code so no binary fixtures live in the repo."""

from __future__ import annotations

import io
import struct
import zlib


def minimal_pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def page_count_bomb(pages: int = 100_000) -> bytes:
    """A small file claiming a huge number of pages (one page object referenced many times)."""
    kids = b" ".join([b"3 0 R"] * pages)
    return minimal_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ])  # fmt: skip


def image_dimension_bomb() -> bytes:
    """One page whose only content is an image declaring 200000 x 200000 pixels."""
    stream = zlib.compress(b"\x00" * 1024)
    content = b"q 612 0 0 792 0 0 cm /Im0 Do Q"
    return minimal_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
        b" /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width 200000 /Height 200000 /ColorSpace"
        b" /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % len(stream) + stream + b"\nendstream",
    ])  # fmt: skip


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header promises more pixels than any scan (its data is a few bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def corrupt_pdf() -> bytes:
    """A PDF header and trailer around garbage."""
    return b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def encrypted(pdf: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF holding the given lines (an invoice, a letter, an empty statement)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen.canvas import Canvas

    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=letter, invariant=True)
    y = 740.0
    for line in lines:
        canvas.setFont("Helvetica", 10)
        canvas.drawString(50, y, line)
        y -= 14
    canvas.showPage()
    canvas.save()
    return buf.getvalue()


INVOICE_LINES = [
    "Example GmbH", "INVOICE", "Invoice number: INV-1042", "Date: 15.01.2026",
    "Bill to: Buyer Ltd", "Due date: 14.02.2026",
    "Description      Qty    Unit price    Amount", "Widget      2     50.00     100.00",
    "Subtotal 100.00", "VAT 19% 19.00", "Total 119.00", "Amount due 119.00",
]  # fmt: skip
EMPTY_STATEMENT_LINES = [
    "First Example Bank", "Account Number: ****4821", "Account Statement",
    "Statement Period 01/01/2026 - 01/31/2026", "Beginning Balance $1,520.00",
    "Ending Balance $1,520.00", "There were no transactions on this account this period.",
]  # fmt: skip
