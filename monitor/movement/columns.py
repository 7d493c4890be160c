"""Column names of model-instance spreadsheets, in Vietnamese and English."""

from __future__ import annotations

from monitor.core.models import ModelStatus, UnitKind
from monitor.registry.columns import Column, normalise_header

INSTANCE_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã mô hình", "Code", ("ma", "instance code"), required=True),
    Column("type_code", "Mã loại mô hình", "Type code", ("loai mo hinh", "type")),
    Column("name", "Tên mô hình", "Name", ("ten",)),
    Column("unit_name", "Đơn vị thực hiện", "Unit", ("don vi", "unit name")),
    Column("unit_kind", "Loại đơn vị", "Unit kind"),
    Column("area_code", "Mã địa bàn", "Area code", ("ma khu vuc", "area")),
    Column("started_on", "Ngày bắt đầu", "Start date", ("ngay xay dung", "started on")),
    Column("responsible_person", "Người phụ trách", "Responsible person", ("phu trach",)),
    Column("responsible_phone", "Số điện thoại", "Phone", ("dien thoai",)),
    Column("status", "Trạng thái", "Status", ("tinh trang",)),
    Column("dossier_done", "Hồ sơ đã có", "Dossier done", ("ho so",)),
    Column("year", "Năm", "Year", ("nam ke hoach",)),
    Column("budget_vnd", "Kinh phí (đồng)", "Budget (VND)", ("kinh phi", "budget")),
    Column("indicator", "Chỉ tiêu", "Indicator"),
    Column("target", "Mục tiêu", "Target", ("ke hoach",)),
    Column("achieved", "Đạt được", "Achieved", ("ket qua", "thuc hien")),
    Column("camera_codes", "Mã camera", "Camera codes", ("camera", "cameras")),
    Column("notes", "Ghi chú", "Notes"),
)

# Fields a new instance cannot do without (an existing one may be updated from its code alone).
NEW_INSTANCE_FIELDS = ("type_code", "name", "unit_name", "area_code")

# Vietnamese words accepted in the unit-kind and status columns, besides the English values.
UNIT_KIND_WORDS = {
    normalise_header(word): kind
    for kind, words in {
        UnitKind.AGENCY: ("cơ quan",),
        UnitKind.ENTERPRISE: ("doanh nghiệp", "công ty"),
        UnitKind.SCHOOL: ("trường học", "trường"),
        UnitKind.VILLAGE: ("thôn", "tổ dân phố", "khu dân cư", "thôn/tổ dân phố"),
        UnitKind.OTHER: ("khác",),
    }.items()
    for word in (*words, kind.value)
}
STATUS_WORDS = {
    normalise_header(word): status
    for status, words in {
        ModelStatus.ACTIVE: ("đang hoạt động", "hoạt động"),
        ModelStatus.UNDER_REVIEW: ("đang đánh giá",),
        ModelStatus.TO_CONSOLIDATE: ("cần củng cố", "củng cố"),
        ModelStatus.INEFFECTIVE: ("không hiệu quả", "kém hiệu quả"),
        ModelStatus.REMOVED: ("đã loại bỏ", "loại bỏ", "giải thể"),
        ModelStatus.REPLICATED: ("nhân rộng", "đã nhân rộng"),
    }.items()
    for word in (*words, status.value)
}
