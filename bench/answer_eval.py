"""Answer checks on labelled answers: what is kept back, what is released.

    .venv/bin/python bench/answer_eval.py DATA_FILE [--policies DIR] [--baseline DIR] [--buried]

DATA_FILE holds `{"items": [{"text", "label": "good"|"bad", "category", "lang"}]}`
(the shape of the labelled dev answers). Every answer goes through the
default set's answer checks with the bundled model only (no provider call),
as a later answer of a conversation. A bad answer counts as kept back when
the verdict holds or blocks it; a good one as released when the verdict is
allow (unchanged). Answers that are examples of a semantic rule of the
evaluated policy are skipped (for the dev file: its training split, so the
figures are on the 40% never trained or tuned on). The baseline, the
phrase-list policy the semantic rules replaced, runs on the same answers.

With --buried, every answer is first set inside a long, ordinary answer in
its language (two friendly sentences before it, two after): a bad sentence
must still be kept back when the rest is polite, read sentence by sentence,
and a good one still released.

Prints a per-category table, per-language totals, and the answer checks'
median time per answer.
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import time
from pathlib import Path

from guardrail.policy import PolicySet, PolicyStore
from guardrail.policy.checks.semantic import SemanticConfig
from guardrail.types import Action, CheckContext

ROOT = Path(__file__).resolve().parents[1]
KEPT = (Action.HOLD, Action.BLOCK)
# Ordinary sentences around a buried answer, per language.
AROUND = {
    "en": (
        "Thanks for your patience while I looked into this for you.",
        "I have gone through your account and the notes from your last message.",
        "Your order number stays the same, and the confirmation email has every detail.",
        "Is there anything else I can help you with today?",
    ),
    "zh": ("感谢您耐心等待，我已经帮您查看了相关情况。", "我仔细看了您的账户和上次留言的记录。",
           "您的订单号保持不变，确认邮件里有全部详细信息。", "请问还有什么可以帮您的吗？"),
    "zh-hant": ("感謝您耐心等候，我已經幫您查看了相關情況。", "我仔細看了您的帳戶和上次留言的紀錄。",
                "您的訂單編號保持不變，確認郵件裡有全部詳細資訊。", "請問還有什麼可以幫您的嗎？"),
}


def buried(item: dict) -> dict:
    before_1, before_2, after_1, after_2 = AROUND[item["lang"]]
    joiner = " " if item["lang"] == "en" else ""
    text = joiner.join([before_1, before_2, item["text"].strip(), after_1, after_2])
    return {**item, "text": text}


def examples_of(policy: PolicySet) -> set[str]:
    out: set[str] = set()
    for rule in policy.rules:
        if isinstance(rule.config, SemanticConfig):
            out.update(rule.config.examples.breaks)
            out.update(rule.config.examples.fine)
    return out


def evaluate(policy: PolicySet, items: list[dict]) -> tuple[list[bool], list[bool], list[float]]:
    """Per answer: right under the whole set; right under its semantic rules alone; ms."""
    correct, semantic_only, times = [], [], []
    semantic_ids = {r.id for r in policy.rules if isinstance(r.config, SemanticConfig)}
    for item in items:
        context = CheckContext(language=item["lang"], customer_text="", first_answer=False)
        start = time.perf_counter()
        verdict = policy.check_answer(item["text"], context)
        times.append((time.perf_counter() - start) * 1000)
        kept = verdict.action in KEPT
        correct.append(kept if item["label"] == "bad" else verdict.action is Action.ALLOW)
        fired = any(f.rule_id in semantic_ids and not f.shadow for f in verdict.findings)
        semantic_only.append(fired if item["label"] == "bad" else not fired)
    return correct, semantic_only, times


def _cell(pairs: list[bool]) -> str:
    return f"{sum(pairs)}/{len(pairs)}" if pairs else "-"


def _pct(pairs: list[bool]) -> str:
    return f"{100 * sum(pairs) / len(pairs):.0f}%" if pairs else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_file", type=Path)
    parser.add_argument("--policies", type=Path, default=ROOT / "policies")
    parser.add_argument("--baseline", type=Path, default=ROOT / "bench" / "phrase_list_policies")
    parser.add_argument("--buried", action="store_true", help="set each answer inside a long ordinary one")
    parser.add_argument(
        "--show-errors", action="store_true", help="print the answers the default set gets wrong"
    )
    args = parser.parse_args()
    items = json.loads(args.data_file.read_text(encoding="utf-8"))["items"]

    start = time.perf_counter()
    store = PolicyStore(args.policies)
    store.load()
    load_seconds = time.perf_counter() - start
    policy = store.get(None)
    baseline_store = PolicyStore(args.baseline)
    baseline_store.load()
    baseline = baseline_store.get(None)

    known = examples_of(policy)
    held_out = [i for i in items if i["text"] not in known]
    print(
        f"{args.data_file.name}: {len(items)} answers, {len(items) - len(held_out)} are rule examples "
        f"(skipped), {len(held_out)} evaluated; policy {policy.name}@{policy.version} loaded in "
        f"{load_seconds:.1f} s"
    )
    if args.buried:
        held_out = [buried(i) for i in held_out]
        print("each answer buried in a long ordinary answer (two sentences before it, two after)")
    semantic, alone, semantic_ms = evaluate(policy, held_out)
    phrases, _, phrase_ms = evaluate(baseline, held_out)

    def table(key) -> None:  # type: ignore[no-untyped-def]
        groups: dict[str, dict[str, list[int]]] = collections.defaultdict(
            lambda: collections.defaultdict(list)
        )
        for index, item in enumerate(held_out):
            groups[key(item)][item["label"]].append(index)
        print(f"{'':20} {'default set with semantic rules':>34}   {'its semantic rules alone':>28}   "
              f"{'phrase-list set (before)':>30}")
        print(f"{'':20} {'bad kept':>19} {'good released':>14}   {'bad kept':>13} {'good released':>14}   "
              f"{'bad kept':>15} {'good released':>14}")
        for name in sorted(groups):
            bad, good = groups[name]["bad"], groups[name]["good"]
            row = [
                _cell([semantic[i] for i in bad]),
                _cell([semantic[i] for i in good]),
                _cell([alone[i] for i in bad]),
                _cell([alone[i] for i in good]),
                _cell([phrases[i] for i in bad]),
                _cell([phrases[i] for i in good]),
            ]
            print(
                f"{name:20} {row[0]:>19} {row[1]:>14}   {row[2]:>13} {row[3]:>14}   "
                f"{row[4]:>15} {row[5]:>14}"
            )

    print("\nper category")
    table(lambda item: item["category"])
    print("\nper language")
    table(lambda item: item["lang"])
    for lang in sorted({i["lang"] for i in held_out}):
        bad = [k for k, i in enumerate(held_out) if i["lang"] == lang and i["label"] == "bad"]
        good = [k for k, i in enumerate(held_out) if i["lang"] == lang and i["label"] == "good"]
        print(
            f"  {lang:8} default set {_pct([semantic[k] for k in bad])} bad kept / "
            f"{_pct([semantic[k] for k in good])} good released;  semantic rules alone "
            f"{_pct([alone[k] for k in bad])} / {_pct([alone[k] for k in good])};  phrase-list set "
            f"{_pct([phrases[k] for k in bad])} / {_pct([phrases[k] for k in good])}"
        )
    if args.show_errors:
        print("\nanswers the default set gets wrong")
        for item, right in zip(held_out, semantic, strict=True):
            if not right:
                print(f"  {item['label']:4} {item['lang']:7} {item['category']:20} {item['text'][:160]!r}")
    print(
        f"\nanswer checks per answer (median): semantic policy {statistics.median(semantic_ms):.1f} ms "
        f"(first pass, nothing cached), phrase-list policy {statistics.median(phrase_ms):.1f} ms"
    )


if __name__ == "__main__":
    main()
