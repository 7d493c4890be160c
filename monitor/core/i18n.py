"""UI strings in Vietnamese (the default) and English, looked up with `t(key, lang)`.

Other modules add their own strings with `add_strings({"key": {"vi": ..., "en": ...}})` at import
time; a missing English string falls back to Vietnamese, a missing key shows the key itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from monitor.core import fault_labels as fault_labels_module

LANGUAGES = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS: dict[str, dict[str, str]] = {
    # layout and navigation
    "app.title": {"vi": "Giám sát Camera an ninh", "en": "Community camera monitoring"},
    "nav.outages": {"vi": "Sự cố", "en": "Outages"},
    "nav.coverage": {"vi": "Tra cứu vùng phủ", "en": "Coverage look-up"},
    "nav.tickets": {"vi": "Phiếu sửa chữa", "en": "Tickets"},
    "nav.reports": {"vi": "Báo cáo", "en": "Reports"},
    "nav.logout": {"vi": "Đăng xuất", "en": "Log out"},
    "nav.language": {"vi": "Ngôn ngữ", "en": "Language"},
    "nav.logged_in_as": {"vi": "Người dùng", "en": "Logged in as"},
    # login and errors
    "login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "login.username": {"vi": "Tên đăng nhập", "en": "Username"},
    "login.password": {"vi": "Mật khẩu", "en": "Password"},
    "login.submit": {"vi": "Đăng nhập", "en": "Log in"},
    "login.failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu", "en": "Wrong username or password"},
    "error.forbidden.title": {"vi": "Không có quyền truy cập", "en": "Access denied"},
    "error.forbidden.text": {
        "vi": "Vai trò của bạn không được xem trang này.",
        "en": "Your role may not see this page.",
    },
    "error.not_found.title": {"vi": "Không tìm thấy", "en": "Not found"},
    "error.invalid.title": {"vi": "Dữ liệu không hợp lệ", "en": "Invalid data"},
    # roles
    "role.admin": {"vi": "Quản trị", "en": "Administrator"},
    "role.technician": {"vi": "Kỹ thuật viên", "en": "Technician"},
    "role.police": {"vi": "Công an", "en": "Police"},
    "role.crew": {"vi": "Tổ sửa chữa", "en": "Repair crew"},
    # common words
    "common.filter": {"vi": "Lọc", "en": "Filter"},
    "common.all": {"vi": "Tất cả", "en": "All"},
    "common.from": {"vi": "Từ", "en": "From"},
    "common.to": {"vi": "Đến", "en": "To"},
    "common.previous": {"vi": "Trang trước", "en": "Previous"},
    "common.next": {"vi": "Trang sau", "en": "Next"},
    "common.page": {"vi": "Trang", "en": "Page"},
    "common.total": {"vi": "Tổng số", "en": "Total"},
    "common.export": {"vi": "Xuất", "en": "Export"},
    "common.none": {"vi": "Không có", "en": "None"},
    "common.yes": {"vi": "Có", "en": "Yes"},
    "common.no": {"vi": "Không", "en": "No"},
    "common.save": {"vi": "Lưu", "en": "Save"},
    "common.generated_at": {"vi": "Lập lúc", "en": "Generated at"},
    "common.filters": {"vi": "Điều kiện lọc", "en": "Filters"},
    "common.no_filter": {"vi": "Không lọc", "en": "No filter"},
    "common.ongoing": {"vi": "Đang diễn ra", "en": "Ongoing"},
    "common.times_in": {"vi": "Thời gian hiển thị theo giờ", "en": "Times shown in"},
    "common.sort": {"vi": "Sắp xếp", "en": "Sort"},
    "common.ascending": {"vi": "Tăng dần", "en": "Ascending"},
    "common.descending": {"vi": "Giảm dần", "en": "Descending"},
    # columns
    "col.camera_code": {"vi": "Mã camera", "en": "Camera code"},
    "col.camera_name": {"vi": "Tên camera", "en": "Camera name"},
    "col.address": {"vi": "Địa chỉ", "en": "Address"},
    "col.commune": {"vi": "Xã/phường/đặc khu", "en": "Commune"},
    "col.area": {"vi": "Địa bàn", "en": "Area"},
    "col.longest_hours": {"vi": "Sự cố dài nhất (giờ)", "en": "Longest outage (h)"},
    "incident.upstream": {"vi": "Thiết bị mạng", "en": "Network device"},
    "col.cluster": {"vi": "Cụm", "en": "Cluster"},
    "col.village": {"vi": "Thôn/tổ dân phố", "en": "Village"},
    "col.province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    # area levels and unit kinds (two-tier local administration since 1 July 2025)
    "level.province": {"vi": "Tỉnh/thành phố", "en": "Province"},
    "level.cluster": {"vi": "Cụm", "en": "Cluster"},
    "level.commune": {"vi": "Xã/phường/đặc khu", "en": "Commune/ward/special zone"},
    "level.village": {"vi": "Thôn/tổ dân phố", "en": "Village/residential group"},
    "area_kind.province": {"vi": "Tỉnh", "en": "Province"},
    "area_kind.city": {"vi": "Thành phố", "en": "City"},
    "area_kind.cluster": {"vi": "Cụm", "en": "Cluster"},
    "area_kind.former_district": {"vi": "Huyện cũ", "en": "Former district"},
    "area_kind.commune": {"vi": "Xã", "en": "Commune"},
    "area_kind.ward": {"vi": "Phường", "en": "Ward"},
    "area_kind.special_zone": {"vi": "Đặc khu", "en": "Special zone"},
    "area_kind.village": {"vi": "Thôn", "en": "Village"},
    "area_kind.residential_group": {"vi": "Tổ dân phố", "en": "Residential group"},
    "area.retired": {"vi": "đã sáp nhập vào", "en": "merged into"},
    "area.all": {"vi": "Tất cả", "en": "All"},
    "tickets.no_crew": {
        "vi": "Không có tổ sửa chữa phụ trách: chuyển kỹ thuật viên tỉnh",
        "en": "No crew covers this area: for the province's technicians",
    },
    "col.start": {"vi": "Bắt đầu", "en": "Start"},
    "col.end": {"vi": "Kết thúc", "en": "End"},
    "col.duration": {"vi": "Thời gian", "en": "Duration"},
    "col.faults": {"vi": "Lỗi", "en": "Faults"},
    "col.ticket_state": {"vi": "Phiếu sửa chữa", "en": "Ticket"},
    "col.state": {"vi": "Trạng thái", "en": "State"},
    "col.kind": {"vi": "Loại", "en": "Kind"},
    "col.distance": {"vi": "Khoảng cách", "en": "Distance"},
    "col.down_for": {"vi": "Thời gian không sử dụng được", "en": "Unavailable for"},
    "col.crew": {"vi": "Tổ sửa chữa", "en": "Crew"},
    "col.priority": {"vi": "Ưu tiên", "en": "Priority"},
    "col.opened": {"vi": "Mở lúc", "en": "Opened"},
    "col.due": {"vi": "Hạn", "en": "Due"},
    "col.title": {"vi": "Nội dung", "en": "Title"},
    "col.availability": {"vi": "Tỷ lệ hoạt động", "en": "Availability"},
    "col.outages": {"vi": "Số sự cố", "en": "Outages"},
    "col.outage_hours": {"vi": "Tổng giờ hỏng", "en": "Outage hours"},
    "col.mttr_hours": {"vi": "Thời gian sửa TB (giờ)", "en": "Mean time to repair (h)"},
    "col.tickets": {"vi": "Số phiếu", "en": "Tickets"},
    "col.cameras": {"vi": "Số camera", "en": "Cameras"},
    "col.name": {"vi": "Tên", "en": "Name"},
    "col.at": {"vi": "Thời điểm", "en": "Time"},
    "col.who": {"vi": "Người thực hiện", "en": "By"},
    "col.comment": {"vi": "Ghi chú", "en": "Comment"},
    # incident kinds and states
    "incident.camera": {"vi": "Camera", "en": "Camera"},
    "incident.group": {"vi": "Nhóm", "en": "Group"},
    "incident.members": {"vi": "Camera trong nhóm", "en": "Member cameras"},
    "incident.open": {"vi": "Đang mở", "en": "Open"},
    "incident.closed": {"vi": "Đã kết thúc", "en": "Closed"},
    "health.unknown": {"vi": "Chưa rõ", "en": "Unknown"},
    "health.up": {"vi": "Hoạt động", "en": "Up"},
    "health.degraded": {"vi": "Suy giảm", "en": "Degraded"},
    "health.down": {"vi": "Mất tín hiệu", "en": "Down"},
    "health.maintenance": {"vi": "Bảo trì", "en": "Maintenance"},
    "ticket.open": {"vi": "Mới mở", "en": "Open"},
    "ticket.assigned": {"vi": "Đã giao", "en": "Assigned"},
    "ticket.in_progress": {"vi": "Đang sửa", "en": "In progress"},
    "ticket.fixed": {"vi": "Đã sửa", "en": "Fixed"},
    "ticket.verified": {"vi": "Đã xác minh", "en": "Verified"},
    "ticket.closed": {"vi": "Đã đóng", "en": "Closed"},
    "ticket.reopened": {"vi": "Mở lại", "en": "Reopened"},
    "ticket.none": {"vi": "Chưa có phiếu", "en": "No ticket"},
    # outages page
    "outages.title": {"vi": "Danh sách sự cố camera", "en": "Camera outages"},
    "outages.state": {"vi": "Tình trạng sự cố", "en": "Outage state"},
    "outages.fault": {"vi": "Loại lỗi", "en": "Fault"},
    "outages.none": {"vi": "Không có sự cố nào", "en": "No outages"},
    # coverage page
    "coverage.title": {"vi": "Tra cứu camera tại một địa điểm", "en": "Coverage look-up"},
    "coverage.lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "coverage.lon": {"vi": "Kinh độ", "en": "Longitude"},
    "coverage.camera": {"vi": "hoặc mã camera", "en": "or camera code"},
    "coverage.radius": {"vi": "Bán kính (m)", "en": "Radius (m)"},
    "coverage.submit": {"vi": "Tra cứu", "en": "Look up"},
    "coverage.working": {"vi": "Hoạt động", "en": "Working"},
    # One vocabulary: the coverage states reuse the health labels' words.
    "coverage.down": {"vi": "Mất tín hiệu", "en": "Down"},
    "coverage.degraded": {"vi": "Suy giảm", "en": "Degraded"},
    "coverage.partial": {
        "vi": "Mất tín hiệu một phần thời gian",
        "en": "Down for part of the time",
    },
    "coverage.not_monitored": {"vi": "Chưa được giám sát", "en": "Not monitored"},
    "coverage.found": {"vi": "camera trong bán kính", "en": "cameras within the radius"},
    "coverage.none": {
        "vi": "Không có camera nào trong bán kính",
        "en": "No camera within the radius",
    },
    # camera page
    "camera.title": {"vi": "Camera", "en": "Camera"},
    "camera.state_changes": {"vi": "Lịch sử trạng thái", "en": "State history"},
    "camera.incidents": {"vi": "Sự cố", "en": "Incidents"},
    "camera.tickets": {"vi": "Phiếu sửa chữa", "en": "Tickets"},
    "camera.thumbnails": {"vi": "Hình ảnh gần nhất", "en": "Latest pictures"},
    "camera.last_good": {"vi": "Hình tốt gần nhất", "en": "Last good picture"},
    "camera.last_fault": {"vi": "Hình lỗi gần nhất", "en": "Last faulty picture"},
    "camera.metrics": {"vi": "Tỷ lệ hoạt động theo giờ", "en": "Hourly availability"},
    "camera.registry": {"vi": "Thông tin đăng ký", "en": "Registry data"},
    "camera.host": {"vi": "Hộ/đơn vị lắp đặt", "en": "Host"},
    "camera.vendor": {"vi": "Hãng", "en": "Vendor"},
    "camera.model": {"vi": "Model", "en": "Model"},
    "camera.serial": {"vi": "Số sê-ri", "en": "Serial"},
    "camera.firmware": {"vi": "Phần mềm", "en": "Firmware"},
    "camera.onvif": {"vi": "Địa chỉ ONVIF", "en": "ONVIF address"},
    "camera.location": {"vi": "Toạ độ", "en": "Location"},
    "camera.importance": {"vi": "Mức quan trọng", "en": "Importance"},
    "camera.enabled": {"vi": "Đang theo dõi", "en": "Monitored"},
    "camera.since": {"vi": "Từ lúc", "en": "Since"},
    "camera.edit": {"vi": "Sửa thông tin camera", "en": "Edit camera"},
    # tickets page
    "tickets.title": {"vi": "Phiếu sửa chữa", "en": "Fault tickets"},
    "tickets.mine": {"vi": "Phiếu đang mở của tôi", "en": "My open tickets"},
    "tickets.change_state": {"vi": "Chuyển trạng thái", "en": "Change state"},
    "tickets.add_comment": {"vi": "Thêm ghi chú", "en": "Add comment"},
    "tickets.history": {"vi": "Lịch sử", "en": "History"},
    "tickets.none": {"vi": "Không có phiếu nào", "en": "No tickets"},
    "tickets.unavailable": {
        "vi": "Chức năng phiếu sửa chữa chưa sẵn sàng",
        "en": "Tickets are not available yet",
    },
    # reports
    "reports.title": {"vi": "Báo cáo tỷ lệ hoạt động", "en": "Availability report"},
    "reports.period": {"vi": "Kỳ báo cáo", "en": "Period"},
    "reports.month": {"vi": "Tháng", "en": "Month"},
    "reports.quarter": {"vi": "Quý", "en": "Quarter"},
    "reports.by_camera": {"vi": "Theo camera", "en": "By camera"},
    "reports.by_commune": {"vi": "Theo xã/phường", "en": "By commune"},
    "reports.by_cluster": {"vi": "Theo cụm", "en": "By cluster"},
    "reports.by_level": {"vi": "Tổng hợp theo", "en": "Group by"},
    "reports.by_crew": {"vi": "Thời gian sửa chữa theo tổ", "en": "Repair time by crew"},
    "reports.worst": {"vi": "Camera hoạt động kém nhất", "en": "Worst cameras"},
}


def add_strings(strings: Mapping[str, Mapping[str, str]]) -> None:
    """Register more UI strings (key -> {lang: text}); a key already present is replaced."""
    for key, texts in strings.items():
        STRINGS[key] = dict(texts)


def normalize_lang(lang: str | None) -> str:
    """A supported language code for whatever was asked ('en-US' -> 'en'), else the default."""
    code = (lang or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    """The UI string for `key` in `lang` (Vietnamese when missing; the key itself if unknown)."""
    texts = STRINGS.get(key)
    if texts is None:
        return key
    return texts.get(normalize_lang(lang)) or texts.get(DEFAULT_LANG) or key


def level_label(level: str, lang: str = DEFAULT_LANG) -> str:
    """The name of an area level (province, cluster, commune, village) in `lang`."""
    return t(f"level.{level}", lang)


def area_kind_label(kind: str, level: str, lang: str = DEFAULT_LANG) -> str:
    """The name of a unit kind (xã, phường, đặc khu, thôn…), else of its level."""
    return t(f"area_kind.{kind}", lang) if kind else level_label(level, lang)


def fault_label(code: str, lang: str = DEFAULT_LANG) -> str:
    """The human label of a fault code (monitor.core.fault_labels; the code itself when unknown)."""
    return fault_labels_module.fault_label(code, normalize_lang(lang))


def fault_labels(codes: list[str] | tuple[str, ...], lang: str = DEFAULT_LANG) -> str:
    """Fault codes as a comma-separated list of labels."""
    return ", ".join(fault_label(code, lang) for code in codes)


def format_duration(seconds: float | None, lang: str = DEFAULT_LANG) -> str:
    """A duration as '2 ngày 3 giờ 5 phút' / '2 d 3 h 5 min' (empty for None)."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    units = ("ngày", "giờ", "phút") if normalize_lang(lang) == "vi" else ("d", "h", "min")
    parts = [f"{n} {u}" for n, u in zip((days, hours, minutes), units, strict=True) if n]
    return " ".join(parts) or f"0 {units[2]}"
