"""UI and document strings of the movement-models registry, in Vietnamese and English."""

from __future__ import annotations

from monitor.core import i18n
from monitor.core.models import ModelStatus, ReviewDecision, ReviewKind, ReviewRating, UnitKind

STRINGS: dict[str, dict[str, str]] = {
    "nav.movement": {"vi": "Mô hình phong trào", "en": "Movement models"},
    "mm.title": {"vi": "Mô hình phong trào toàn dân bảo vệ ANTQ", "en": "Movement models"},
    "mm.report.title": {
        "vi": "Báo cáo mô hình phong trào toàn dân bảo vệ ANTQ",
        "en": "Movement models report",
    },
    "mm.province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "mm.area": {"vi": "Địa bàn", "en": "Area"},
    "mm.year": {"vi": "Năm", "en": "Year"},
    "mm.as_of": {"vi": "Tính đến ngày", "en": "As of"},
    "mm.overdue_months": {"vi": "Chu kỳ đánh giá (tháng)", "en": "Review period (months)"},
    "mm.health_period": {"vi": "Kỳ đo camera", "en": "Camera measurement period"},
    "mm.code": {"vi": "Mã mô hình", "en": "Code"},
    "mm.name": {"vi": "Tên mô hình", "en": "Name"},
    "mm.type": {"vi": "Loại mô hình", "en": "Model type"},
    "mm.types": {"vi": "Loại mô hình", "en": "Model types"},
    "mm.unit": {"vi": "Đơn vị thực hiện", "en": "Running unit"},
    "mm.unit_kind": {"vi": "Loại đơn vị", "en": "Unit kind"},
    "mm.started_on": {"vi": "Ngày bắt đầu", "en": "Started on"},
    "mm.responsible": {"vi": "Người phụ trách", "en": "Responsible person"},
    "mm.phone": {"vi": "Số điện thoại", "en": "Phone"},
    "mm.notes": {"vi": "Ghi chú", "en": "Notes"},
    "mm.status": {"vi": "Trạng thái", "en": "Status"},
    "mm.dossier": {"vi": "Hồ sơ", "en": "Dossier"},
    "mm.completeness": {"vi": "Mức đầy đủ hồ sơ", "en": "Dossier completeness"},
    "mm.missing": {"vi": "Hồ sơ còn thiếu", "en": "Missing documents"},
    "mm.budget": {"vi": "Kinh phí (đồng)", "en": "Budget (VND)"},
    "mm.indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "mm.target": {"vi": "Mục tiêu", "en": "Target"},
    "mm.achieved": {"vi": "Đạt được", "en": "Achieved"},
    "mm.percent": {"vi": "Tỷ lệ (%)", "en": "Percent"},
    "mm.instances": {"vi": "Số mô hình", "en": "Instances"},
    "mm.total": {"vi": "Tổng", "en": "Total"},
    "mm.cameras": {"vi": "Camera", "en": "Cameras"},
    "mm.availability": {"vi": "Tỷ lệ hoạt động", "en": "Availability"},
    "mm.incidents": {"vi": "Số sự cố", "en": "Incidents"},
    "mm.downtime": {"vi": "Thời gian không sử dụng được", "en": "Unavailable for"},
    "mm.faults": {"vi": "Lỗi", "en": "Faults"},
    "mm.hours_measured": {"vi": "Số giờ đo", "en": "Hours measured"},
    "mm.last_review": {"vi": "Lần đánh giá gần nhất", "en": "Last review"},
    "mm.due_on": {"vi": "Hạn đánh giá", "en": "Review due"},
    "mm.never": {"vi": "Chưa đánh giá", "en": "Never reviewed"},
    "mm.sec.by_type_status": {
        "vi": "Số mô hình theo loại và trạng thái",
        "en": "Instances by type and status",
    },
    "mm.sec.targets": {"vi": "Chỉ tiêu và kết quả thực hiện", "en": "Targets and achievements"},
    "mm.sec.budgets": {"vi": "Kinh phí được cấp", "en": "Budget allocated"},
    "mm.sec.dossiers": {"vi": "Hồ sơ chưa đầy đủ", "en": "Incomplete dossiers"},
    "mm.sec.overdue": {"vi": "Mô hình quá hạn sơ kết, tổng kết", "en": "Overdue for review"},
    "mm.sec.camera_health": {
        "vi": "Tình trạng hoạt động của mô hình Camera an ninh",
        "en": "Camera-model health",
    },
    "mm.sheet.by_type_status": {"vi": "Theo loại", "en": "By type"},
    "mm.sheet.targets": {"vi": "Chỉ tiêu", "en": "Targets"},
    "mm.sheet.budgets": {"vi": "Kinh phí", "en": "Budgets"},
    "mm.sheet.dossiers": {"vi": "Hồ sơ thiếu", "en": "Incomplete dossiers"},
    "mm.sheet.overdue": {"vi": "Quá hạn đánh giá", "en": "Overdue"},
    "mm.sheet.camera_health": {"vi": "Camera an ninh", "en": "Camera health"},
    "mm.reviews": {"vi": "Sơ kết, tổng kết", "en": "Reviews"},
    "mm.review.add": {"vi": "Thêm sơ kết / tổng kết", "en": "Add a review"},
    "mm.review.kind": {"vi": "Hình thức", "en": "Kind"},
    "mm.review.date": {"vi": "Ngày đánh giá", "en": "Review date"},
    "mm.review.period": {"vi": "Kỳ đánh giá", "en": "Period"},
    "mm.review.rating": {"vi": "Xếp loại", "en": "Rating"},
    "mm.review.findings": {"vi": "Nhận xét", "en": "Findings"},
    "mm.review.decision": {"vi": "Quyết định", "en": "Decision"},
    "mm.review.reviewer": {"vi": "Người/cơ quan đánh giá", "en": "Reviewer"},
    "mm.new": {"vi": "Thêm mô hình", "en": "New instance"},
    "mm.edit": {"vi": "Sửa", "en": "Edit"},
    "mm.import": {"vi": "Nhập từ tệp", "en": "Import a file"},
    "mm.import.done": {"vi": "Đã nhập", "en": "Imported"},
    "mm.import.rejected": {
        "vi": "Tệp có lỗi, không ghi dữ liệu nào",
        "en": "The file has problems; nothing written",
    },
    "mm.report": {"vi": "Báo cáo", "en": "Report"},
    "mm.search": {"vi": "Tìm kiếm", "en": "Search"},
    "mm.row": {"vi": "Dòng", "en": "Row"},
    "mm.column": {"vi": "Cột", "en": "Column"},
    "mm.reason": {"vi": "Lý do", "en": "Reason"},
}

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        ModelStatus.ACTIVE: ("Đang hoạt động", "Active"),
        ModelStatus.UNDER_REVIEW: ("Đang đánh giá", "Under review"),
        ModelStatus.TO_CONSOLIDATE: ("Cần củng cố", "To consolidate"),
        ModelStatus.INEFFECTIVE: ("Không hiệu quả", "Ineffective"),
        ModelStatus.REMOVED: ("Đã loại bỏ", "Removed"),
        ModelStatus.REPLICATED: ("Nhân rộng", "Replicated"),
    },
    "decision": {
        ReviewDecision.KEEP: ("Duy trì", "Keep"),
        ReviewDecision.CONSOLIDATE: ("Củng cố", "Consolidate"),
        ReviewDecision.REPLICATE: ("Nhân rộng", "Replicate"),
        ReviewDecision.REMOVE: ("Loại bỏ", "Remove"),
    },
    "rating": {
        ReviewRating.EXCELLENT: ("Xuất sắc", "Excellent"),
        ReviewRating.GOOD: ("Tốt", "Good"),
        ReviewRating.FAIR: ("Khá", "Fair"),
        ReviewRating.AVERAGE: ("Trung bình", "Average"),
        ReviewRating.WEAK: ("Yếu", "Weak"),
    },
    "review_kind": {
        ReviewKind.INTERIM: ("Sơ kết", "Interim review"),
        ReviewKind.FINAL: ("Tổng kết", "Final review"),
    },
    "unit_kind": {
        UnitKind.AGENCY: ("Cơ quan", "Agency"),
        UnitKind.ENTERPRISE: ("Doanh nghiệp", "Enterprise"),
        UnitKind.SCHOOL: ("Trường học", "School"),
        UnitKind.VILLAGE: ("Thôn, tổ dân phố", "Village"),
        UnitKind.OTHER: ("Khác", "Other"),
    },
}

i18n.add_strings(STRINGS)


def label(group: str, value: str, lang: str) -> str:
    """The display name of an enum value (status, decision, rating, review_kind, unit_kind)."""
    pair = LABELS[group].get(value)
    if pair is None:
        return str(value)
    return pair[1] if lang == "en" else pair[0]
