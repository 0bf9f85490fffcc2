"""Chinese conversations through the whole proxy with the shipped policies:
seeded personal data never reaches the provider, comes back restored
(streaming too), and a Chinese handoff request skips the model."""

from __future__ import annotations

import pytest

from guardrail.standin import Reply
from guardrail.standin.provider import echo_responder
from tests.support.harness import MODEL, ProxyHarness

MAINLAND = {
    "name": "王小明",
    "phone": "138 0013 8000",
    "id": "11010519491231002X",
    "card": "6222600260001072444",
    "email": "wang.xm@example.com",
    "address": "北京市朝阳区建国路88号SOHO现代城5栋2单元1203室",
}
MAINLAND_TEXT = (
    f"你好，我叫{MAINLAND['name']}，手机{MAINLAND['phone']}，身份证号{MAINLAND['id']}。"
    f"银行卡{MAINLAND['card']}被扣了两次，邮箱{MAINLAND['email']}，"
    f"请把发票寄到{MAINLAND['address']}。"
)
TAIWAN = {
    "name": "林志明",
    "phone": "0912-345-678",
    "id": "A123456789",
    "address": "台北市大安區忠孝東路四段100號5樓之2",
}
TAIWAN_TEXT = (
    f"您好，聯絡人：{TAIWAN['name']}，手機{TAIWAN['phone']}，身分證{TAIWAN['id']}，地址{TAIWAN['address']}。"
)
HONG_KONG = {"id": "A123456(3)", "phone": "+852 9123 4567"}
HONG_KONG_TEXT = f"我嘅香港身份證係{HONG_KONG['id']}，電話{HONG_KONG['phone']}。"
MIXED = {"name": "Sarah Connor", "phone": "13800138000"}
MIXED_TEXT = f"我的订单还没到, my name is {MIXED['name']}, 电话{MIXED['phone']}"

CONVERSATIONS = [
    (MAINLAND_TEXT, MAINLAND),
    (TAIWAN_TEXT, TAIWAN),
    (HONG_KONG_TEXT, HONG_KONG),
    (MIXED_TEXT, MIXED),
]


@pytest.mark.parametrize(("text", "values"), CONVERSATIONS)
def test_seeded_values_never_reach_the_provider_and_come_back(
    guarded: ProxyHarness, text: str, values: dict[str, str]
) -> None:
    reply = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": text}]
    )
    seen = guarded.provider.texts_received()
    for value in values.values():
        assert value not in seen
    assert "<" in seen  # placeholders went up instead
    answer = reply.choices[0].message.content or ""
    assert f"You said: {text}" in answer
    assert "<PERSON" not in answer and "<PHONE_NUMBER" not in answer


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7])
def test_streaming_restores_chinese_answers(guarded: ProxyHarness, chunk_size: int) -> None:
    guarded.provider.responder = lambda body: Reply(
        content=echo_responder(body).content, chunk_size=chunk_size
    )
    stream = guarded.client().chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": MAINLAND_TEXT}], stream=True
    )
    text = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
    assert f"You said: {MAINLAND_TEXT}" in text
    seen = guarded.provider.texts_received()
    for value in MAINLAND.values():
        assert value not in seen


def test_placeholders_stable_across_chinese_turns(guarded: ProxyHarness) -> None:
    client = guarded.client()
    first = [{"role": "user", "content": MAINLAND_TEXT}]
    answer = client.chat.completions.create(model=MODEL, messages=first).choices[0].message.content
    second = [
        *first,
        {"role": "assistant", "content": answer},
        {"role": "user", "content": f"再确认一下，手机是{MAINLAND['phone']}"},
    ]
    client.chat.completions.create(model=MODEL, messages=second)
    first_seen, second_seen = guarded.provider.received[0], guarded.provider.received[1]
    assert "<PHONE_NUMBER_1>" in first_seen["messages"][0]["content"]
    assert second_seen["messages"][-1]["content"] == "再确认一下，手机是<PHONE_NUMBER_1>"


@pytest.mark.parametrize(
    ("request_text", "handoff_text"),
    [("我要转人工", "转接人工客服"), ("請幫我轉人工", "轉接人工客服"), ("帮我找真人客服", "转接人工客服")],
)
def test_chinese_handoff_skips_the_model(guarded: ProxyHarness, request_text: str, handoff_text: str) -> None:
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": request_text}]
    )
    assert raw.headers["x-guardrail-verdict"] == "handoff"
    assert raw.headers["x-guardrail-hold-id"]
    assert handoff_text in (raw.parse().choices[0].message.content or "")
    assert guarded.provider.received == []


def test_chinese_profanity_blocked_with_chinese_fallback(guarded: ProxyHarness) -> None:
    guarded.provider.responder = lambda body: Reply(content="他媽的，快遞又晚了。")
    raw = guarded.client().chat.completions.with_raw_response.create(
        model=MODEL, messages=[{"role": "user", "content": "我的包裹在哪裡？"}]
    )
    assert raw.headers["x-guardrail-verdict"] == "block"
    assert "工作人員" in (raw.parse().choices[0].message.content or "")
