#!/usr/bin/env bash
# System packages the tests need, from Debian: Chromium and CJK fonts for the browser tests
# (Playwright drives the system Chromium; it never downloads a browser of its own; the fonts
# also draw the OCR test scans), and libGL for OpenCV. Idempotent.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || need+=(fonts-noto-color-emoji)
# OpenCV (pulled in by the OCR engine, rapidocr-onnxruntime) loads libGL.so.1 on import.
ldconfig -p 2>/dev/null | grep -q "libGL.so.1" || need+=(libgl1)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
