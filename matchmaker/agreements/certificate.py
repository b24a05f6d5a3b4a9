"""The signing certificate: one A4 page with both parties, the digest, the signing times, the
ledger entries and a QR code that opens the public verification page.

Bilingual (Chinese first) whatever the viewer's language, since the paper travels. Chinese
is set in reportlab's built-in CID font STSong-Light, so the text stays extractable.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from matchmaker.agreements.models import Agreement, AgreementSignature, LedgerEntry

FONT = "STSong-Light"
SHANGHAI = ZoneInfo("Asia/Shanghai")
TYPE_NAMES = {
    "technology": "技术合作 Technology cooperation",
    "supply": "供货 Supply",
    "investment": "投资 Investment",
    "incubation": "孵化 Incubation",
    "service": "服务 Service",
}
DISCLAIMER = (
    "本证书是平台出具的防篡改存证，并非《中华人民共和国电子签名法》所称的可靠电子签名。",
    "A tamper-evident attestation by the platform, not a qualified (reliable) electronic "
    "signature under the PRC Electronic Signature Law.",
)


@dataclass(frozen=True)
class CertificateData:
    agreement: Agreement
    signatures: Sequence[AgreementSignature]
    entries: Sequence[LedgerEntry]
    verify_url: str


def _when(signature: AgreementSignature) -> str:
    return signature.signed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S (UTC+8)")


def _amount(value: float | None) -> str:
    return "—" if value is None else f"{value:,.4f}".rstrip("0").rstrip(".") + " 万元"


def _lines(data: CertificateData) -> list[tuple[str, str]]:
    agreement = data.agreement
    rows = [
        ("核验码 Verification code", agreement.code),
        ("甲方（大企业） Firm", agreement.firm_name),
        ("乙方（中小企业） SME", agreement.sme_name),
        ("协议标的 Subject", agreement.subject),
        ("类型 Type", TYPE_NAMES.get(agreement.type.value, agreement.type.value)),
        ("金额 Amount", _amount(agreement.amount_wan)),
        ("期限 Term", agreement.term or "—"),
        ("版本 Version", str(agreement.version)),
    ]
    for signature in data.signatures:
        party = (
            agreement.firm_name
            if signature.enterprise_id == agreement.firm_id
            else (agreement.sme_name)
        )
        rows.append(("签署 Signed", f"{party}  {signature.signer_name}  {_when(signature)}"))
    return rows


def _wrap(text: str, room: float, measure: Callable[[str, str, float], float]) -> list[str]:
    """Break by width, character by character: Chinese has no spaces to break at."""
    lines, current = [], ""
    for char in text:
        if current and measure(current + char, FONT, 11) > room:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current][:4]


def render(data: CertificateData) -> bytes:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buffer = io.BytesIO()
    width, height = A4
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"Signing certificate {data.agreement.code}")
    pdf.setFont(FONT, 20)
    pdf.drawString(56, height - 72, "合作协议签署证书")
    pdf.setFont(FONT, 12)
    pdf.drawString(56, height - 92, "Agreement signing certificate")
    y = height - 130
    for label, value in _lines(data):
        pdf.setFont(FONT, 9)
        pdf.drawString(56, y, label)
        pdf.setFont(FONT, 11)
        for line in _wrap(value, width - 56 - 200, pdfmetrics.stringWidth):
            pdf.drawString(200, y, line)
            y -= 15
        y -= 7
    y -= 6
    pdf.setFont(FONT, 9)
    pdf.drawString(56, y, "SHA-256 摘要 Digest of the canonical agreement text")
    pdf.setFont("Courier", 9)
    digest = data.agreement.digest or ""
    pdf.drawString(56, y - 14, digest)
    y -= 40
    pdf.setFont(FONT, 9)
    pdf.drawString(56, y, "签署账本 Ledger entries")
    pdf.setFont("Courier", 8)
    for entry in data.entries:
        y -= 13
        pdf.drawString(56, y, f"#{entry.seq} {entry.kind:<9} {entry.entry_hash}")
    qr = QrCodeWidget(data.verify_url)
    left, bottom, right, top = qr.getBounds()
    size = 130.0
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 56 - size, 96)
    pdf.setFont(FONT, 9)
    pdf.drawString(56, 120, "扫码或访问以核验 Scan or open to verify:")
    pdf.setFont("Courier", 9)
    pdf.drawString(56, 106, data.verify_url)
    pdf.setFont(FONT, 8)
    pdf.drawString(56, 78, DISCLAIMER[0])
    pdf.drawString(56, 66, DISCLAIMER[1])
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
