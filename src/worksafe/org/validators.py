"""Password complexity (GB/T 22239-2019 §8.1.4.1 a: 身份鉴别信息具有复杂度要求). How many character
classes are required is a setting (WORKSAFE_PASSWORD_MIN_CLASSES); the standard gives no number."""

import string

from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", lambda c: c in string.ascii_uppercase),
    ("小写字母", lambda c: c in string.ascii_lowercase),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
]


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        have = sum(1 for _, test in CLASSES if any(test(ch) for ch in password))
        if have < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少{self.min_classes}类。"
