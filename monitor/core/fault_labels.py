"""Human names of the fault codes, in Vietnamese (default) and English, for tickets and exports."""

from probes.faults import FaultCode

FAULT_LABELS: dict[str, dict[FaultCode, str]] = {
    "vi": {
        FaultCode.OFFLINE: "Mất kết nối",
        FaultCode.AUTH_FAILED: "Sai mật khẩu",
        FaultCode.ONVIF_ERROR: "Lỗi ONVIF",
        FaultCode.STREAM_ERROR: "Không có luồng video",
        FaultCode.NO_SIGNAL: "Mất tín hiệu hình",
        FaultCode.BLUR: "Hình mờ",
        FaultCode.TOO_DARK: "Hình quá tối",
        FaultCode.OVEREXPOSED: "Hình cháy sáng",
        FaultCode.COVERED: "Ống kính bị che",
        FaultCode.FROZEN: "Hình bị đứng",
        FaultCode.SCENE_CHANGED: "Camera bị lệch hướng",
        FaultCode.NOISY: "Hình nhiễu",
        FaultCode.COLOR_CAST: "Sai màu",
        FaultCode.CLOCK_DRIFT: "Sai giờ",
        FaultCode.STORAGE_FAILURE: "Lỗi lưu trữ",
        FaultCode.RESOLUTION_MISMATCH: "Sai độ phân giải",
        FaultCode.DEVICE_REPLACED: "Thiết bị bị thay",
        FaultCode.REBOOTED: "Camera khởi động lại",
    },
    "en": {
        FaultCode.OFFLINE: "Offline",
        FaultCode.AUTH_FAILED: "Credentials refused",
        FaultCode.ONVIF_ERROR: "ONVIF error",
        FaultCode.STREAM_ERROR: "No video stream",
        FaultCode.NO_SIGNAL: "No video signal",
        FaultCode.BLUR: "Blurred",
        FaultCode.TOO_DARK: "Too dark",
        FaultCode.OVEREXPOSED: "Overexposed",
        FaultCode.COVERED: "Lens covered",
        FaultCode.FROZEN: "Frozen picture",
        FaultCode.SCENE_CHANGED: "View changed",
        FaultCode.NOISY: "Noisy picture",
        FaultCode.COLOR_CAST: "Colour cast",
        FaultCode.CLOCK_DRIFT: "Clock wrong",
        FaultCode.STORAGE_FAILURE: "Storage failure",
        FaultCode.RESOLUTION_MISMATCH: "Resolution mismatch",
        FaultCode.DEVICE_REPLACED: "Device replaced",
        FaultCode.REBOOTED: "Rebooted",
    },
}


def fault_label(code: str, language: str = "vi") -> str:
    """The human name of a fault code (the code itself when unknown)."""
    try:
        return FAULT_LABELS.get(language, FAULT_LABELS["vi"])[FaultCode(code)]
    except ValueError:
        return code
