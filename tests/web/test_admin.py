"""Admin access: any Unicode password, throttled guessing, uploads that keep both files."""
import logging

from assistant.web.admin import MAX_FAILURES, AdminGate, keep_upload


def test_unicode_password_is_accepted_and_wrong_ones_are_throttled(caplog):
    now = [0.0]
    gate = AdminGate("管理员密码2024", clock=lambda: now[0])
    assert gate.check("管理员密码2024") is None
    with caplog.at_level(logging.WARNING):
        for _ in range(MAX_FAILURES):
            assert gate.check("猜一猜") == "密码错误，未收录"
    assert "秒后再试" in gate.check("管理员密码2024")  # locked, even for the right one
    assert "猜一猜" not in caplog.text and "rejected" in caplog.text
    now[0] += 61
    assert gate.check("管理员密码2024") is None
    assert AdminGate(None).check("x") and gate.check(12345) == "密码错误，未收录"


def test_a_guessing_address_is_locked_out_but_the_admin_elsewhere_is_not():
    now = [0.0]
    gate = AdminGate("管理员密码2024", clock=lambda: now[0])
    for _ in range(MAX_FAILURES):
        gate.check("猜一猜", "203.0.113.9")
    assert "秒后再试" in gate.check("管理员密码2024", "203.0.113.9")
    assert gate.check("管理员密码2024", "10.1.2.3") is None
    # a guesser at flat-out speed for ten minutes gets its five tries a minute, no more
    compared = 0
    for step in range(86_400):
        now[0] = 100 + step / 144
        compared += gate.check("猜", "198.51.100.7") == "密码错误，未收录"
    assert compared <= MAX_FAILURES * 11


def test_a_different_file_with_the_same_name_is_kept_beside_not_over(tmp_path):
    dest = tmp_path / "uploads"
    a, b = tmp_path / "a" / "通知.txt", tmp_path / "b" / "通知.txt"
    for f, text in ((a, "晋中教发〔2023〕21号 通知"), (b, "另一份通知")):
        f.parent.mkdir()
        f.write_text(text, encoding="utf-8")
    first = keep_upload(a, dest)
    second = keep_upload(b, dest)
    assert first.name == "通知.txt" and second.name.startswith("通知-") and second != first
    assert first.read_text(encoding="utf-8").startswith("晋中教发") and not a.exists() and not b.exists()
    c = tmp_path / "c.txt"
    c.write_text("晋中教发〔2023〕21号 通知", encoding="utf-8")
    c = c.rename(tmp_path / "通知.txt")
    assert keep_upload(c, dest) == first  # the same file again: the same name
