"""GET /gate: the phone page gate staff check passes with, online or offline (static/gate.js)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.response import Redirect, Template

from core.roles import Right
from core.settings import PROJECT_ROOT
from core.web import page_context

# What static/gate.js says, in both languages: the page hands it the texts of its own language,
# so that answers worked out offline read like the server's.
GATE_TEXTS: dict[str, tuple[str, str]] = {
    "accepted": ("MỜI VÀO", "ADMIT"),
    "duplicate": ("ĐÃ QUÉT RỒI", "ALREADY SCANNED"),
    "revoked": ("THẺ ĐÃ THU HỒI", "PASS REVOKED"),
    "invalid": ("THẺ KHÔNG HỢP LỆ", "NOT A VALID PASS"),
    "wrong_fair": ("SAI PHIÊN CHỢ", "WRONG FAIR"),
    "not_today": ("KHÔNG PHẢI HÔM NAY", "NOT TODAY"),
    "cannot_verify": ("KHÔNG KIỂM TRA ĐƯỢC", "CANNOT VERIFY"),
    "error": ("LỖI", "ERROR"),
    "no_entry": ("Không cho vào.", "Do not let in."),
    "offline_note": (
        "Kiểm tra ngoại tuyến trên máy này; sẽ gửi lên máy chủ khi có mạng.",
        "Checked offline on this device; it will be sent to the server when back online.",
    ),
    "stall": ("Gian", "Stall"),
    "holder": ("Người giữ thẻ", "Holder"),
    "pass_no": ("Thẻ số", "Pass no."),
    "kind_1": ("Thẻ doanh nghiệp", "Business pass"),
    "kind_2": ("Thẻ ban tổ chức", "Staff pass"),
    "kind_3": ("Thẻ tình nguyện viên", "Volunteer pass"),
    "msg_accepted_offline": (
        "Chữ ký của thẻ đúng; thẻ dùng được hôm nay.",
        "The pass's signature is good and it is valid today.",
    ),
    "msg_duplicate": (
        "Thẻ đã quét lúc {when} tại cổng “{gate}”.",
        "Already scanned at {when} at gate “{gate}”.",
    ),
    "msg_revoked": (
        "Thẻ đã bị thu hồi (theo danh sách thu hồi trên máy này).",
        "The pass has been revoked (by the revocation list on this device).",
    ),
    "msg_invalid": ("Mã không hợp lệ.", "Not a valid pass code."),
    "msg_unknown_key": ("Mã ký bằng khóa không rõ.", "Signed with an unknown key."),
    "msg_bad_signature": (
        "Chữ ký của mã không đúng: thẻ giả hoặc hỏng.",
        "The code's signature is wrong: a forged or damaged pass.",
    ),
    "msg_retired_key": (
        "Thẻ ký bằng khóa đã ngừng dùng: cần cấp lại thẻ.",
        "Signed with a retired key: the pass must be issued again.",
    ),
    "msg_wrong_fair": (
        "Thẻ của phiên chợ khác (số {fair}).",
        "A pass for another fair (no. {fair}).",
    ),
    "msg_not_today": (
        "Thẻ chỉ dùng từ ngày {first} đến ngày {last}.",
        "The pass is valid from {first} to {last} only.",
    ),
    "msg_no_keys": (
        "Máy này chưa tải khóa kiểm tra thẻ, nên không kiểm tra được khi mất mạng.",
        "This device has not loaded the pass keys yet, so it cannot check passes offline.",
    ),
    "msg_no_ed25519": (
        "Trình duyệt này không kiểm tra được chữ ký Ed25519: hãy dùng Chrome, Edge, Firefox "
        "hoặc Safari bản mới.",
        "This browser cannot check Ed25519 signatures: use a recent Chrome, Edge, Firefox "
        "or Safari.",
    ),
    "msg_insecure": (
        "Trang phải mở qua HTTPS thì mới dùng được camera và kiểm tra chữ ký.",
        "The page must be opened over HTTPS to use the camera and check signatures.",
    ),
    "msg_short_offline": (
        "Mã ngắn chỉ kiểm tra được khi có mạng: hãy quét mã QR trên thẻ.",
        "Short codes can only be checked online: scan the QR code on the pass.",
    ),
    "msg_choose_fair": (
        "Hãy chọn phiên chợ của cổng trước khi quét.",
        "Choose the gate's fair before scanning.",
    ),
    "msg_signed_out": (
        "Phiên đăng nhập đã hết hạn: đăng nhập lại để gửi các lượt quét lên máy chủ.",
        "Your session has expired: sign in again to send the scans to the server.",
    ),
    "msg_server_error": (
        "Máy chủ trả lời lỗi {status}.",
        "The server answered with error {status}.",
    ),
    "online": ("Có mạng", "Online"),
    "offline": ("Mất mạng — kiểm tra trên máy", "Offline — checking on this device"),
    "keys_none": ("Chưa có khóa kiểm tra thẻ", "No pass keys yet"),
    "keys_ok": (
        "{count} khóa · {revoked} thẻ thu hồi · {when}",
        "{count} keys · {revoked} revoked · {when}",
    ),
    "queue_empty": ("Không có lượt quét chờ gửi.", "No scans waiting to be sent."),
    "queue_count": ("{count} chờ gửi", "{count} to send"),
    "queue_text": ("{count} lượt quét chờ gửi.", "{count} scans waiting to be sent."),
    "no_fairs": ("Hôm nay không có phiên chợ nào.", "No fairs today."),
    "choose_fair": ("— Chọn phiên chợ —", "— Choose the fair —"),
    "camera_start": ("Bật camera", "Start camera"),
    "camera_stop": ("Tắt camera", "Stop camera"),
    "camera_error": ("Không mở được camera: {error}", "The camera could not be opened: {error}"),
    "camera_no_decoder": (
        "Trình duyệt này không đọc được mã QR; hãy gõ mã ngắn.",
        "This browser cannot read QR codes; type the short code.",
    ),
    "uploaded_as": ("máy chủ trả lời", "the server answered"),
    "scanned_offline_at": ("quét ngoại tuyến lúc", "scanned offline at"),
}


SERVICE_WORKER = (PROJECT_ROOT / "static" / "gate-sw.js").read_bytes()


@get("/gate-sw.js", include_in_schema=False)
async def gate_service_worker() -> Response[bytes]:
    """Served from the root so that its scope may cover /gate."""
    return Response(
        SERVICE_WORKER, media_type="text/javascript", headers={"cache-control": "no-cache"}
    )


@get("/gate", include_in_schema=False)
async def gate_page(request: Request[Any, Any, Any]) -> Response[Any]:
    """The page is for those who check passes in; anyone else is sent to sign in as one."""
    principal = request.scope.get("user")
    if principal is None or not principal.can(Right.CHECK_IN):
        return Redirect("/login?next=/gate", status_code=303)
    context = page_context(request)
    english = context["lang"] == "en"
    texts = {key: en if english else vi for key, (vi, en) in GATE_TEXTS.items()}
    return Template("gate.html", context={**context, "texts": texts})
