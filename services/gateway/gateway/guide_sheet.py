"""The printable guide sheet (明白纸): one A4 page residents carry to the office, with a QR code back to the item;
and the same sheet as a PDF with its Chinese fonts embedded (WeasyPrint renders the very same HTML and CSS)."""

import asyncio
import functools
import logging

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gateway.api import PathId
from gateway.auth import ServicesDep
from gateway.convert import item_json
from gateway.rpc import ApiError
from gateway.web import STATIC, cached, render

log = logging.getLogger(__name__)
router = APIRouter(default_response_class=HTMLResponse)
PDF_CACHE_SIZE = 128  # sheets kept rendered, by item id and version: a PDF takes about a second of CPU


def item_url(request: Request, item_id: int) -> str:
    base = request.app.state.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    return f"{base}/items/{item_id}"


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, title="扫码查看办事指南", border=2)


async def _sheet(request: Request, rpc, item_id: int, *, for_pdf: bool) -> tuple[str, object]:
    found = await rpc.get_published_item(item_id)
    url = item_url(request, item_id)
    context = {"item": item_json(found), "url": url, "qr": qr_svg(url), "for_pdf": for_pdf}
    return render(request, "print.html", context), found


@router.get("/items/{item_id}/print")
async def guide_sheet(request: Request, rpc: ServicesDep, item_id: PathId):
    body, found = await _sheet(request, rpc, item_id, for_pdf=False)
    return cached(
        request,
        body,
        "text/html",
        vary="Accept-Encoding",
        last_modified=found.updated_at.ToDatetime(),
        keys=(f"item-{item_id}",),
    )


@router.get("/items/{item_id}/print.pdf")
async def guide_sheet_pdf(request: Request, rpc: ServicesDep, item_id: PathId):
    body, found = await _sheet(request, rpc, item_id, for_pdf=True)
    try:
        pdf = await asyncio.to_thread(_pdf, found.id, found.version, body)
    except OSError as error:  # WeasyPrint's system libraries (pango) are missing on this host
        log.error("PDF rendering unavailable: %s", error)
        raise ApiError(503, "pdf_unavailable", "PDF 暂时无法生成，请使用“打印”功能") from error
    headers = {
        "Content-Disposition": f"inline; filename=guide-{item_id}.pdf",
        "Cache-Control": f"public, max-age={request.app.state.settings.page_max_age}",
        "ETag": f'"pdf-{item_id}-v{found.version}"',
        "Surrogate-Key": f"item-{item_id}",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(pdf, media_type="application/pdf", headers=headers)


@functools.lru_cache(maxsize=PDF_CACHE_SIZE)
def _pdf(item_id: int, version: int, html: str) -> bytes:
    import weasyprint  # loaded on first use: it needs pango, which only the PDF needs

    # The PDF variant of the page links no stylesheet: the print stylesheet is given here, read from disk, so
    # rendering never fetches anything.
    stylesheet = weasyprint.CSS(filename=str(STATIC / "print.css"))
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[stylesheet])
