"""Email subject and body texts for crew notifications, in Vietnamese (default) and English."""

from __future__ import annotations

from typing import Any

from monitor.core.fault_labels import fault_label

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "ticket.opened": "Phiếu sửa chữa mới",
        "ticket.assigned": "Phiếu được giao cho tổ",
        "ticket.state_changed": "Phiếu đổi trạng thái",
        "ticket.reopened": "Phiếu được mở lại",
        "ticket.closed": "Phiếu đã đóng",
        "ticket.comment": "Ý kiến mới trên phiếu",
        "subject": "[Camera an ninh] {event} #{id}: {camera} – {fault}",
        "greeting": "Kính gửi {crew},",
        "ticket": "Phiếu số",
        "state": "Trạng thái",
        "priority": "Mức ưu tiên",
        "fault": "Lỗi",
        "due": "Hạn xử lý",
        "camera": "Camera",
        "address": "Địa chỉ",
        "area": "Địa bàn",
        "position": "Tọa độ",
        "importance": "Mức quan trọng",
        "host": "Đơn vị/hộ lắp đặt",
        "contact": "Người liên hệ",
        "faults_seen": "Các lỗi ghi nhận",
        "reason": "Chi tiết",
        "since": "Bắt đầu lúc",
        "members": "Các camera trong sự cố",
        "thumbnails": "Ảnh bằng chứng (đính kèm)",
        "last_good": "Ảnh tốt gần nhất",
        "last_fault": "Ảnh lỗi",
        "link": "Xem và cập nhật phiếu",
        "footer": "Thư tự động từ hệ thống giám sát Camera an ninh, xin đừng trả lời thư này.",
        "state.open": "Mới mở",
        "state.assigned": "Đã giao",
        "state.in_progress": "Đang xử lý",
        "state.fixed": "Đã sửa, chờ kiểm tra",
        "state.verified": "Đã kiểm tra",
        "state.closed": "Đã đóng",
        "state.reopened": "Mở lại",
    },
    "en": {
        "ticket.opened": "New repair ticket",
        "ticket.assigned": "Ticket assigned to your crew",
        "ticket.state_changed": "Ticket state changed",
        "ticket.reopened": "Ticket reopened",
        "ticket.closed": "Ticket closed",
        "ticket.comment": "New comment on ticket",
        "subject": "[Camera monitoring] {event} #{id}: {camera} – {fault}",
        "greeting": "Dear {crew},",
        "ticket": "Ticket",
        "state": "State",
        "priority": "Priority",
        "fault": "Fault",
        "due": "Due",
        "camera": "Camera",
        "address": "Address",
        "area": "Area",
        "position": "Position",
        "importance": "Importance",
        "host": "Host",
        "contact": "Contact",
        "faults_seen": "Faults seen",
        "reason": "Details",
        "since": "Since",
        "members": "Cameras in this incident",
        "thumbnails": "Evidence pictures (attached)",
        "last_good": "Last good picture",
        "last_fault": "Faulty picture",
        "link": "View and update the ticket",
        "footer": "Automatic message from the camera monitoring service. Please do not reply.",
        "state.open": "Open",
        "state.assigned": "Assigned",
        "state.in_progress": "In progress",
        "state.fixed": "Fixed, awaiting verification",
        "state.verified": "Verified",
        "state.closed": "Closed",
        "state.reopened": "Reopened",
    },
}


def _t(language: str) -> dict[str, str]:
    return TEXTS.get(language, TEXTS["vi"])


def email_subject(payload: dict[str, Any], language: str = "vi") -> str:
    """The one-line subject of the email for this payload."""
    t = _t(language)
    ticket = payload["ticket"]
    camera = payload.get("camera") or {}
    return t["subject"].format(
        event=t.get(payload["event"], payload["event"]),
        id=ticket["id"],
        camera=camera.get("code") or ticket["title"],
        fault=fault_label(ticket["fault"], language),
    )


def email_body(payload: dict[str, Any], language: str = "vi") -> str:
    """The plain-text body of the email for this payload."""
    t = _t(language)
    ticket = payload["ticket"]
    crew = (payload.get("crew") or {}).get("name", "")
    lines = [t["greeting"].format(crew=crew), "", t.get(payload["event"], payload["event"]), ""]
    state = t.get(f"state.{ticket['state']}", ticket["state"])
    lines += [
        f"{t['ticket']}: #{ticket['id']} – {ticket['title']}",
        f"{t['state']}: {state}",
        f"{t['priority']}: {ticket['priority']}",
        f"{t['fault']}: {fault_label(ticket['fault'], language)}",
        f"{t['due']}: {ticket.get('due_at') or '-'}",
    ]
    camera = payload.get("camera")
    if camera:
        lines += [
            "",
            f"{t['camera']}: {camera['code']} – {camera['name']}",
            f"{t['address']}: {camera.get('address') or '-'}",
            f"{t['area']}: {' / '.join(camera.get('areas') or []) or '-'}",
            f"{t['position']}: {camera.get('latitude')}, {camera.get('longitude')}",
            f"{t['importance']}: {camera.get('importance')}",
        ]
        host = camera.get("host")
        if host:
            lines += [
                f"{t['host']}: {host['name']}",
                f"{t['contact']}: {host.get('contact_name') or '-'} – {host.get('phone') or '-'}",
            ]
    incident = payload.get("incident")
    if incident:
        faults = ", ".join(fault_label(f, language) for f in incident.get("faults") or []) or "-"
        lines += ["", f"{t['faults_seen']}: {faults}", f"{t['since']}: {incident['started_at']}"]
        if incident.get("reason"):
            lines.append(f"{t['reason']}: {incident['reason']}")
        if incident.get("cameras"):
            lines.append(f"{t['members']}: {', '.join(incident['cameras'])}")
    if camera:
        thumbs = camera.get("thumbnails") or {}
        lines += ["", f"{t['thumbnails']}:"]
        lines += [f"  {t[name]}: {url}" for name, url in thumbs.items() if name in t]
    lines += ["", f"{t['link']}: {ticket['link']}", "", "--", t["footer"], ""]
    return "\n".join(lines)
