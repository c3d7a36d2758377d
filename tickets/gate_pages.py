"""GET /gate: the phone page gate staff check passes with, online or offline (static/gate.js)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.response import Redirect, Template

from core.i18n import N_, gettext
from core.roles import Right
from core.settings import PROJECT_ROOT
from core.templating import page_context

# What static/gate.js says: the page hands it the texts in its own language, so that answers
# worked out offline read like the server's.
GATE_TEXTS: dict[str, str] = {
    "accepted": N_("MỜI VÀO"),
    "duplicate": N_("ĐÃ QUÉT RỒI"),
    "revoked": N_("THẺ ĐÃ THU HỒI"),
    "invalid": N_("THẺ KHÔNG HỢP LỆ"),
    "wrong_fair": N_("SAI PHIÊN CHỢ"),
    "not_today": N_("KHÔNG PHẢI HÔM NAY"),
    "cannot_verify": N_("KHÔNG KIỂM TRA ĐƯỢC"),
    "error": N_("LỖI"),
    "no_entry": N_("Không cho vào."),
    "offline_note": N_("Kiểm tra ngoại tuyến trên máy này; sẽ gửi lên máy chủ khi có mạng."),
    "stall": N_("Gian"),
    "holder": N_("Người giữ thẻ"),
    "pass_no": N_("Thẻ số"),
    "kind_1": N_("Thẻ doanh nghiệp"),
    "kind_2": N_("Thẻ ban tổ chức"),
    "kind_3": N_("Thẻ tình nguyện viên"),
    "msg_accepted_offline": N_("Chữ ký của thẻ đúng; thẻ dùng được hôm nay."),
    "msg_duplicate": N_("Thẻ đã quét lúc {when} tại cổng “{gate}”."),
    "msg_revoked": N_("Thẻ đã bị thu hồi (theo danh sách thu hồi trên máy này)."),
    "msg_invalid": N_("Mã không hợp lệ."),
    "msg_unknown_key": N_("Mã ký bằng khóa không rõ."),
    "msg_bad_signature": N_("Chữ ký của mã không đúng: thẻ giả hoặc hỏng."),
    "msg_retired_key": N_("Thẻ ký bằng khóa đã ngừng dùng: cần cấp lại thẻ."),
    "msg_wrong_fair": N_("Thẻ của phiên chợ khác (số {fair})."),
    "msg_not_today": N_("Thẻ chỉ dùng từ ngày {first} đến ngày {last}."),
    "msg_no_keys": N_("Máy này chưa tải khóa kiểm tra thẻ, nên không kiểm tra được khi mất mạng."),
    "msg_no_ed25519": N_(
        "Trình duyệt này không kiểm tra được chữ ký Ed25519: hãy "
        "dùng Chrome, Edge, Firefox hoặc Safari bản mới."
    ),
    "msg_insecure": N_("Trang phải mở qua HTTPS thì mới dùng được camera và kiểm tra chữ ký."),
    "msg_short_offline": N_("Mã ngắn chỉ kiểm tra được khi có mạng: hãy quét mã QR trên thẻ."),
    "msg_choose_fair": N_("Hãy chọn phiên chợ của cổng trước khi quét."),
    "msg_signed_out": N_(
        "Phiên đăng nhập đã hết hạn: đăng nhập lại để gửi các lượt "
        "quét lên máy chủ."
    ),
    "msg_server_error": N_("Máy chủ trả lời lỗi {status}."),
    "online": N_("Có mạng"),
    "offline": N_("Mất mạng — kiểm tra trên máy"),
    "keys_none": N_("Chưa có khóa kiểm tra thẻ"),
    "keys_ok": N_("{count} khóa · {revoked} thẻ thu hồi · {when}"),
    "queue_empty": N_("Không có lượt quét chờ gửi."),
    "queue_count": N_("{count} chờ gửi"),
    "queue_text": N_("{count} lượt quét chờ gửi."),
    "no_fairs": N_("Hôm nay không có phiên chợ nào."),
    "choose_fair": N_("— Chọn phiên chợ —"),
    "camera_start": N_("Bật camera"),
    "camera_stop": N_("Tắt camera"),
    "camera_error": N_("Không mở được camera: {error}"),
    "camera_no_decoder": N_("Trình duyệt này không đọc được mã QR; hãy gõ mã ngắn."),
    "uploaded_as": N_("máy chủ trả lời"),
    "scanned_offline_at": N_("quét ngoại tuyến lúc"),
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
    texts = {key: gettext(text) for key, text in GATE_TEXTS.items()}
    return Template("gate.html", context={**context, "texts": texts})
