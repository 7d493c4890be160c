"""Import problems in the reader's language: the importer's English reasons, said in Vietnamese.

The importer (and pydantic under it) words its reasons in English for the API and the logs; the
import page shows them in the page's language. A reason no pattern knows is shown as it is.
"""

from __future__ import annotations

import re

# (pattern, Vietnamese template); groups of the pattern fill {0}, {1}, ... in the template.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.IGNORECASE), vi)
    for p, vi in [
        (r"^unknown column$", "Cột không có trong mẫu"),
        (r"^column appears twice$", "Cột bị lặp lại"),
        (r"^required column is missing$", "Thiếu cột bắt buộc"),
        (r"^value is required$", "Ô bắt buộc phải có giá trị"),
        (r"^field required$", "Ô bắt buộc phải có giá trị"),
        (r"^file is not UTF-8 text$", "Tệp không phải văn bản UTF-8"),
        (r"^file is not readable CSV", "Tệp CSV không đọc được"),
        (r"^file is not a readable XLSX workbook$", "Tệp XLSX không đọc được"),
        (r"^the first worksheet", "Không đọc được trang tính đầu tiên của tệp"),
        (r"^the first row must hold the column headers$", "Dòng đầu tiên phải là tên các cột"),
        (r"^the file holds no (\w+) rows$", "Tệp không có dòng dữ liệu nào"),
        (r"^camera code repeats row (\d+) of this file$", "Mã camera trùng với dòng {0} của tệp"),
        (r"^unknown area code '([^']*)'$", "Không có địa bàn mã '{0}'"),
        (r"^expected yes/no", "Cần ghi có/không (hoặc 1/0)"),
        (r"^expected a date", "Cần ngày dạng 2024-03-31 hoặc 31/03/2024"),
        (
            r"^host details given without the host's name$",
            "Có thông tin hộ lắp đặt nhưng thiếu tên hộ",
        ),
        (r"^phone number may hold only", "Số điện thoại chỉ gồm chữ số và + ( ) - ."),
        (r"^must be one of (.+)$", "Phải là một trong: {0}"),
        (r"^host '([^']*)' cannot be resolved$", "Không phân giải được địa chỉ '{0}'"),
        (
            r"^address (\S+) of '([^']*)' is outside the allowed probe networks",
            "Địa chỉ {0} nằm ngoài các dải mạng được phép giám sát",
        ),
        (r"^URL has no host$", "Đường dẫn thiếu tên máy"),
        (r"^Input should be a valid number", "Phải là một số"),
        (r"^Input should be a valid integer", "Phải là số nguyên"),
        (r"^Input should be a finite number", "Phải là một số"),
        (r"^Input should be greater than or equal to (\S+)$", "Phải lớn hơn hoặc bằng {0}"),
        (r"^Input should be less than or equal to (\S+)$", "Phải nhỏ hơn hoặc bằng {0}"),
        (r"^Input should be greater than (\S+)$", "Phải lớn hơn {0}"),
        (r"^Input should be less than (\S+)$", "Phải nhỏ hơn {0}"),
        (r"^String should have at most (\d+) characters?$", "Dài quá {0} ký tự"),
        (r"^String should have at least (\d+) characters?$", "Cần ít nhất {0} ký tự"),
        (r"^String should match pattern", "Chứa ký tự không được phép"),
        (r"^Value error, must be an rtsp", "Phải là đường dẫn rtsp:// hoặc http(s):// có tên máy"),
        (r"^Value error, must not carry credentials", "Không ghi mật khẩu trong đường dẫn"),
        (r"^Value error, must not carry a password", "Không ghi mật khẩu trong đường dẫn"),
        (r"^Value error, (.+)$", "{0}"),
    ]
]


def problem_text(reason: str, lang: str = "vi") -> str:
    """An import problem's reason in `lang` (English reasons pass through unchanged)."""
    if lang != "vi":
        return reason
    for pattern, template in _PATTERNS:
        match = pattern.search(reason)
        if match:
            return template.format(*match.groups())
    return reason
