"""Column names of camera spreadsheets, in Vietnamese and English, shared by import and export."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from monitor.core.errors import RowProblem


@dataclass(frozen=True, slots=True)
class Column:
    """One spreadsheet column: the field it fills and its headers in both languages."""

    field: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False


CAMERA_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã camera", "Code", ("ma", "camera code"), required=True),
    Column("name", "Tên camera", "Name", ("ten",), required=True),
    Column("address", "Địa chỉ", "Address"),
    Column("area_code", "Mã địa bàn", "Area code", ("ma khu vuc", "area")),
    Column("latitude", "Vĩ độ", "Latitude", ("lat",)),
    Column("longitude", "Kinh độ", "Longitude", ("lon", "lng")),
    Column("host_name", "Hộ/đơn vị lắp đặt", "Host name", ("chu camera", "host")),
    Column("host_kind", "Loại đơn vị", "Host kind"),
    Column("host_contact", "Người liên hệ", "Host contact", ("contact",)),
    Column("host_phone", "Số điện thoại", "Host phone", ("dien thoai", "phone")),
    Column("vendor", "Hãng", "Vendor", ("hang san xuat", "manufacturer")),
    Column("model", "Model", "Model", ("mau",)),
    Column("serial", "Số sê-ri", "Serial", ("so serial", "serial number")),
    Column("firmware", "Phiên bản phần mềm", "Firmware", ("phan mem",)),
    Column("onvif_host", "Địa chỉ IP", "ONVIF host", ("ip", "host ip", "onvif ip")),
    Column("onvif_port", "Cổng ONVIF", "ONVIF port"),
    Column("rtsp_port", "Cổng RTSP", "RTSP port"),
    Column("rtsp_url", "Đường dẫn RTSP", "RTSP URL"),
    Column("snapshot_url", "Đường dẫn ảnh chụp", "Snapshot URL"),
    Column("username", "Tên đăng nhập", "Username", ("user",)),
    Column("password", "Mật khẩu", "Password"),
    Column("expected_width", "Độ phân giải ngang", "Expected width", ("width", "chieu rong")),
    Column("expected_height", "Độ phân giải dọc", "Expected height", ("height", "chieu cao")),
    Column("expected_codec", "Chuẩn nén", "Expected codec", ("codec",)),
    Column("importance", "Mức quan trọng", "Importance", ("muc do quan trong",)),
    Column("upstream_device", "Thiết bị mạng phía trên", "Upstream device", ("upstream",)),
    Column("enabled", "Đang theo dõi", "Enabled", ("hoat dong", "bat")),
    Column("installed_on", "Ngày lắp đặt", "Installed on", ("install date",)),
    Column("tags", "Nhãn", "Tags", ("the",)),
)

# Fields that describe the host of the camera rather than the camera itself.
HOST_FIELDS = ("host_name", "host_kind", "host_contact", "host_phone")


def normalise_header(text: str) -> str:
    """Lower-case, accent-free, single-spaced form of a header, so 'Mã Camera' == 'ma camera'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in bare.lower())
    return " ".join(cleaned.split())


def header_index(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Every accepted spelling of every header, normalised, mapped to its column."""
    index: dict[str, Column] = {}
    for column in columns:
        for spelling in (column.field, column.vi, column.en, *column.aliases):
            index[normalise_header(spelling)] = column
    return index


def headers(columns: tuple[Column, ...], language: str) -> list[str]:
    """Header row of an export in the given language ('vi' or 'en')."""
    return [column.vi if language == "vi" else column.en for column in columns]


@dataclass(slots=True)
class HeaderMap:
    """Which file column fills which field, the header each field was found under, and problems."""

    columns: list[tuple[int, Column]] = field(default_factory=list)
    header_of: dict[str, str] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)


def map_header(
    header: list[str], columns: tuple[Column, ...], required: Iterable[str]
) -> HeaderMap:
    """Match a file's header row to columns: unknown, repeated and missing required columns."""
    result = HeaderMap()
    index = header_index(columns)
    seen: set[str] = set()
    for position, name in enumerate(header):
        column = index.get(normalise_header(name))
        if column is None:
            result.problems.append(RowProblem(1, name, "unknown column"))
        elif column.field in seen:
            result.problems.append(RowProblem(1, name, "column appears twice"))
        else:
            seen.add(column.field)
            result.columns.append((position, column))
            result.header_of[column.field] = name
    required = set(required)
    for column in columns:
        if column.field in required and column.field not in seen:
            result.problems.append(RowProblem(1, column.vi, "required column is missing"))
            result.header_of[column.field] = column.vi
    return result
