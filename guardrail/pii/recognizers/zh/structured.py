"""Language-independent identifiers, with Chinese context words.

The generic recognizers already find cards, emails and web addresses glued to
Chinese text (ASCII look-arounds); these subclasses register them for "zh" and
add the words that precede them in Chinese ("卡号", "邮箱"). IPv4 is our own:
Presidio's pattern is `\\b`-anchored and misses "IP是192.168.1.20" (no word
boundary between 是 and 1 in Python's Unicode regex).
"""

from __future__ import annotations

from collections.abc import Iterator

from guardrail.pii.recognizers.base import Candidate, Pattern, RegexRecognizer
from guardrail.pii.recognizers.generic import (
    EmailAddressRecognizer,
    IbanChecksumRecognizer,
    PaymentCardRecognizer,
)
from guardrail.pii.recognizers.generic.url import WebAddressRecognizer
from guardrail.pii.recognizers.zh.words import CARD_CONTEXT


class BankCardRecognizer(PaymentCardRecognizer):
    """Bank and credit cards, Luhn-checked: UnionPay's 62 prefix (16-19
    digits) falls under the generic recognizer's issuer digits already.

    One in ten long order numbers passes Luhn by chance; a number labelled
    as an order, waybill or invoice number is not taken for a card."""

    LANGUAGE = "zh"
    CONTEXT = CARD_CONTEXT + PaymentCardRecognizer.CONTEXT

    def candidates(self, text: str) -> Iterator[Candidate]:
        for candidate in super().candidates(text):
            before = text[max(0, candidate.start - _LABEL_WINDOW) : candidate.start].lower()
            if not any(label in before for label in _NOT_CARD_LABELS):
                yield candidate


# Labels of numbers that are not cards, looked for just before a number.
_NOT_CARD_LABELS = (
    "订单", "訂單", "单号", "單號", "运单", "運單", "发票", "發票", "编号", "編號", "order",
    "tracking", "invoice",
)
_LABEL_WINDOW = 8


class ChineseEmailRecognizer(EmailAddressRecognizer):
    LANGUAGE = "zh"
    CONTEXT = ("邮箱", "郵箱", "电邮", "電郵", "邮件", "郵件", "email", "mail")


class ChineseIbanChecksumRecognizer(IbanChecksumRecognizer):
    LANGUAGE = "zh"
    CONTEXT = ("账号", "帳號", "賬號", "账户", "帳戶", "汇款", "匯款", "转账", "轉帳", "银行", "銀行",
               *IbanChecksumRecognizer.CONTEXT)


class ChineseWebAddressRecognizer(WebAddressRecognizer):
    LANGUAGE = "zh"
    CONTEXT = ("网址", "網址", "链接", "鏈接", "連結", "网站", "網站", "url", "link")


class Ipv4Recognizer(RegexRecognizer):
    ENTITY = "IP_ADDRESS"
    LANGUAGE = "zh"
    PATTERNS = (
        Pattern(
            "ipv4",
            r"(?<![0-9A-Za-z.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
            r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(?![0-9A-Za-z]|\.[0-9])",
            0.6,
        ),
    )
    CONTEXT = ("ip", "地址", "登录", "登錄", "登入")
