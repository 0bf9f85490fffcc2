"""Policy evaluation speed: median time to check a 1 KB answer.

    .venv/bin/python bench/policy_speed.py [POLICY_DIR] [--runs N]

Targets: at most 15 ms median for all answer checks of the shipped default
set on a 1 KB answer (semantic rules included). Prints the median and p95 for
a polite answer and one that trips several rules, each once repeated (the
semantic model's caches warm) and once as fresh answers the model has never
seen (`--fresh N` variants, the realistic case), and the slowest rules.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

from guardrail.policy import PolicyStore
from guardrail.types import CheckContext

POLITE = (
    "Hi Sam, thanks for reaching out and sorry for the wait. I've checked order BS-123456: it "
    "left our warehouse yesterday and the courier expects to deliver it on Friday between 9am "
    "and 1pm. You'll get a text message with a one-hour window on the morning of delivery, and "
    "you can follow the parcel with the tracking link in your confirmation email. If nobody is "
    "home, the driver will leave a card and try again the next working day, or you can pick a "
    "neighbour or a safe place in the tracking page. The sofa cover can be removed and washed "
    "at 30 degrees; please air-dry it to avoid shrinking. Our assembly guide is in the box and "
    "on our website under Help > Assembly. If anything is missing or damaged when it arrives, "
    "send us a photo within 14 days and we'll send the part or a replacement free of charge. "
    "Is there anything else I can help you with today? Our team is here every day from 8am "
    "to 8pm, and you can also reach us by email at any time, or ask for a person in this chat. "
    "Have a lovely week, and enjoy the new sofa!"
)
RISKY = (
    "WE GUARANTEE it will arrive tomorrow!!! As I already said, this is your own fault for "
    "entering the wrong address, and honestly you might find it cheaper on Amazon. I'm a real "
    "person, not a bot. For the headache take ibuprofen, 400 mg. "
) * 5


def _time(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default="policies", type=Path)
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--fresh", type=int, default=20, help="distinct never-seen answers to time")
    args = parser.parse_args()
    start = time.perf_counter()
    store = PolicyStore(args.directory)
    store.load()
    print(f"policies loaded (semantic model included) in {time.perf_counter() - start:.2f} s")
    policy = store.get(None)
    context = CheckContext(customer_text="Where is my order BS-123456?", first_answer=True)
    print(f"policy set {policy.name}@{policy.version}: {len(policy.rules)} rules")
    for label, text in (("polite 1 KB", POLITE[:1024]), ("risky 1 KB", RISKY[:1024])):
        policy.check_answer(text, context)  # warm-up: lazy imports, caches
        samples = _time(lambda text=text: policy.check_answer(text, context), args.runs)
        p95 = statistics.quantiles(samples, n=20)[-1]
        verdict = policy.check_answer(text, context)
        print(
            f"{label:12} {len(text)} chars  repeated: median {statistics.median(samples):.2f} ms  "
            f"p95 {p95:.2f} ms  -> {verdict.action}"
        )
        fresh = []
        for i in range(args.fresh):
            # A number in every sentence: no sentence was encoded before.
            variant = re.sub(r"([.!?])(\s|$)", rf" #{i}\1\2", text)[:1024]
            start = time.perf_counter()
            policy.check_answer(variant, context)
            fresh.append((time.perf_counter() - start) * 1000)
        if fresh:
            print(
                f"{'':12} fresh answers: median {statistics.median(fresh):.1f} ms  "
                f"max {max(fresh):.1f} ms  ({len(fresh)} distinct)"
            )
    print("slowest rules on the polite answer (median ms):")
    per_rule = []
    text = POLITE[:1024]
    for rule in policy.rules:
        if rule.stage == "answer" and not rule.is_async:
            ms = statistics.median(_time(lambda r=rule: r.check.check(text, context), 100))
            per_rule.append((ms, rule.id))
    for ms, rule_id in sorted(per_rule, reverse=True)[:5]:
        print(f"  {rule_id:28} {ms:.3f}")


if __name__ == "__main__":
    main()
