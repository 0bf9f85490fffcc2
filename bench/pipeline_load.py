"""End to end with the default policies: guardrail's throughput against bare litellm.

Issue 3's speed target: with the shipped default policies (PII de-identified,
every answer check on), a load of customer conversations, each request
carrying a new newest message, must reach >= 0.3x the throughput of a bare
Starlette app that only calls `litellm.acompletion`, measured in the same run.

Three targets, each its own uvicorn process (one worker) on 127.0.0.1, in
front of one stand-in provider whose fixed answer is an ordinary polite
support reply that the default policy allows (or modifies: the first answer
of a conversation gets the AI disclosure appended):

- litellm            Starlette calling only `litellm.acompletion` (the floor)
- guardrail-empty    `create_app` with an empty policy directory (pure gateway)
- guardrail-default  `create_app` with the repo's `policies/` (default set)

Two loads, each at the same concurrency against every target:

- 1-message   one new customer message per request, full of personal data
              (names, emails, phones, addresses from Faker); no conversation
              header, so every request starts a new conversation
- 11-message  one of a fixed pool of conversations: 10 earlier turns (5 from
              the customer, 5 answers), identical on every request and primed
              before timing so the proxy has seen them, plus a new newest
              customer message; sent with `X-Guardrail-Conversation-Id`

Every body is generated before its run from a fixed seed (Faker values,
templates, a counter that makes each newest message unique), so generation
is not measured and guardrail's content cache only ever helps with the earlier
turns. Rounds are interleaved and their order rotates (the 2-core machine is
shared); tables show medians over rounds, and server CPU time per request,
which outside load disturbs far less than requests/s.

    .venv/bin/python -m bench.pipeline_load [--concurrency 8] [--duration 10]
        [--warmup 3] [--rounds 3] [--py-spy OUT_PREFIX]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import random
import shutil
import statistics
import sys
import tempfile
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from faker import Faker

from bench._load import LoadResult, LoadSpec, run_load_process
from bench._servers import REPO_ROOT, ServerProcess
from bench.proxy_load import create_key, drop_keys, redis_for_bench

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
MODEL = "bench-model"
SEED = 20241121
TARGET_RATIO = 0.3
CONVERSATIONS = 24  # the 11-message load's pool of conversations
PYSPY = Path("/tmp/pyspy/bin/py-spy")

# What the stand-in answers: policies/cases/ordinary.yaml's ordinary-shipping
# case, which the default set allows.
SUPPORT_REPLY = (
    "Thanks for reaching out! Your order shipped yesterday and should arrive by Friday. "
    "You can track it with the link in your confirmation email."
)
# Customer messages on ungoverned topics (no refunds, prices, legal, account
# closure, no request for a person), so the default policy never holds them.
CUSTOMER_TEMPLATES = (
    "Hi, this is {name}. My order {order} hasn't arrived yet. Could you check where it is? "
    "You can reach me at {email} or on {phone}.",
    "Hello,\nPlease deliver order {order} to my new address:\n{address}\n\nThanks,\n{name}",
    "Hi there, the lamp from order {order} arrived with a cracked base. I'm {name}, "
    "phone {phone}. Can you send a replacement to {address_inline}?",
    "Can you update the email on my account to {email}? The order is {order}. Thanks, {first}",
    "Good morning, could someone call me on {phone} about order {order}? The courier "
    "left it at {address_inline} instead of my flat. Kind regards, {name}",
    "My neighbour {other} at {address_inline} took in my parcel (order {order}) by mistake. "
    "Could the courier collect it? Best, {first}",
)
AGENT_TURNS = (
    "Thanks for reaching out, {first}! Let me look into order {order} for you.",
    "I've updated the delivery details. You'll get a confirmation email at {email} shortly.",
    "I'm sorry to hear that. I've arranged a free replacement, which will ship within "
    "2 business days.",
    "The courier has been notified and will call you on {phone} before delivery.",
    "You should have received a confirmation email a few minutes ago. Could you check "
    "your spam folder?",
)
TARGETS = ("litellm", "guardrail-empty", "guardrail-default")
LOADS = ("1-message", "11-message")


@dataclass
class Run:
    """One target under one load: results by round."""

    target: str
    load: str
    results: list[LoadResult] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)

    def median(self, metric: str) -> float:
        if metric == "cpu_us":
            return statistics.median(self.cpu_us)
        return statistics.median(getattr(r, metric) for r in self.results)


class Bodies:
    """Request bodies from a fixed seed; every call to `newest` is a new text."""

    def __init__(self, seed: int, people: int = 400) -> None:
        rng = random.Random(seed)
        fakers = [Faker(locale) for locale in ("en_US", "en_GB", "en_AU", "en_CA")]
        for fake in fakers:
            fake.seed_instance(rng.randint(0, 2**31))
        self._people = [self._person(rng.choice(fakers)) for _ in range(people)]
        self._serial = 0
        self.conversations = [self._history(i) for i in range(CONVERSATIONS)]

    @staticmethod
    def _person(fake: Faker) -> dict[str, str]:
        address: str = fake.address()
        first: str = fake.first_name()
        return {
            "name": f"{first} {fake.last_name()}",
            "first": first,
            "other": fake.name(),
            "email": fake.email(),
            "phone": fake.phone_number(),
            "address": address,
            "address_inline": address.replace("\n", ", "),
        }

    def newest(self, person: dict[str, str]) -> dict[str, str]:
        self._serial += 1
        template = CUSTOMER_TEMPLATES[self._serial % len(CUSTOMER_TEMPLATES)]
        return {"role": "user", "content": template.format(order=f"BH-{self._serial:07d}", **person)}

    def _history(self, index: int) -> list[dict[str, str]]:
        person = self._people[index]
        turns: list[dict[str, str]] = []
        for turn in range(5):
            values = {**person, "order": f"BH-9{index:03d}{turn:03d}"}
            template = CUSTOMER_TEMPLATES[(index + turn) % len(CUSTOMER_TEMPLATES)]
            turns.append({"role": "user", "content": template.format(**values)})
            turns.append({"role": "assistant", "content": AGENT_TURNS[turn].format(**values)})
        return turns

    def one_message(self) -> dict[str, Any]:
        person = self._people[self._serial % len(self._people)]
        return {"body": chat(self.newest(person)), "headers": {}}

    def conversation(self, index: int) -> dict[str, Any]:
        index %= CONVERSATIONS
        body = chat(*self.conversations[index], self.newest(self._people[index]))
        return {"body": body, "headers": {"x-guardrail-conversation-id": f"bench-conv-{index}"}}

    def batch(self, load: str, count: int) -> list[dict[str, Any]]:
        if load == "1-message":
            return [self.one_message() for _ in range(count)]
        return [self.conversation(i) for i in range(count)]


def chat(*messages: dict[str, str]) -> dict[str, Any]:
    return {"model": MODEL, "messages": list(messages), "max_tokens": 64}


def send(url: str, item: dict[str, Any], key_headers: dict[str, str]) -> httpx.Response:
    headers = {**key_headers, **item["headers"]}
    return httpx.post(url, json=item["body"], headers=headers, timeout=60)


def check_and_prime(
    urls: dict[str, str], bodies: Bodies, key_headers: dict[str, str], samples: int
) -> None:
    """Before timing: every target answers 200 with the support reply; the
    default policy's verdicts are only allow/modify (a hold would wait 30 s);
    and every conversation's earlier turns have been seen by every target."""
    for name, url in urls.items():
        verdicts: Counter[str] = Counter()
        for load in LOADS:
            for item in bodies.batch(load, samples):
                response = send(url, item, key_headers)
                if response.status_code != 200 or SUPPORT_REPLY[:30] not in response.text:
                    sys.exit(f"{name} ({load}) answered {response.status_code}: {response.text[:300]}")
                verdicts[f"{load}: {response.headers.get('x-guardrail-verdict', '-')}"] += 1
        for index in range(CONVERSATIONS):
            send(url, bodies.conversation(index), key_headers).raise_for_status()
        print(f"  {name:<18} verdicts of {samples} sample requests per load: {dict(verdicts)}")
        if any(v.endswith(("hold", "block")) for v in verdicts):
            sys.exit(f"{name}: the default policy held or blocked the stand-in's answer")


def measure(run: Run, server: ServerProcess, spec: LoadSpec) -> None:
    cpu_before = server.cpu_seconds()
    result = run_load_process(spec)
    cpu = (server.cpu_seconds() - cpu_before) / max(1, result.total_requests) * 1e6
    run.results.append(result)
    run.cpu_us.append(cpu)
    repeats = " (bodies repeated!)" if result.total_requests > result.distinct_bodies else ""
    print(
        f"  {run.load:<10} {run.target:<18} {result.rps:7.1f} rps  p50 {result.p50_ms:7.1f} ms  "
        f"p99 {result.p99_ms:7.1f} ms  server cpu {cpu:6.0f} us/req  errors {result.errors}"
        f"{repeats}",
        flush=True,
    )


def report(runs: dict[tuple[str, str], Run], options: argparse.Namespace) -> None:
    print(
        f"\n{datetime.date.today()}, non-streaming, concurrency {options.concurrency}, "
        f"{options.rounds} rounds x {options.duration:g} s (after {options.warmup:g} s warm-up), "
        "medians over rounds\n"
    )
    print("| load | target | requests/s | p50 ms | p99 ms | server CPU µs/req | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (load, target), run in runs.items():
        errors = sum(r.errors for r in run.results)
        print(
            f"| {load} | {target} | {run.median('rps'):.1f} | {run.median('p50_ms'):.1f} "
            f"| {run.median('p99_ms'):.1f} | {run.median('cpu_us'):.0f} | {errors} |"
        )
    print()
    for load in LOADS:
        floor = runs[(load, "litellm")]
        for target in ("guardrail-empty", "guardrail-default"):
            run = runs[(load, target)]
            by_round = [g.rps / f.rps for g, f in zip(run.results, floor.results, strict=True)]
            rps = run.median("rps") / floor.median("rps")
            cpu = run.median("cpu_us") / floor.median("cpu_us")
            verdict = ""
            if target == "guardrail-default":
                verdict = f" -> target >= {TARGET_RATIO}x {'met' if rps >= TARGET_RATIO else 'MISSED'}"
            print(
                f"{load}: {target} / litellm: throughput {rps:.2f}x (by round "
                f"{', '.join(f'{r:.2f}' for r in by_round)}), CPU per request {cpu:.2f}x{verdict}"
            )


def profile(server: ServerProcess, spec: LoadSpec, out: Path, seconds: float) -> None:
    """Sample the guardrail process with py-spy while a load runs (collapsed stacks)."""
    import subprocess

    args = [str(PYSPY), "record", "--pid", str(server.pid), "--rate", "200", "--format", "raw"]
    args += ["--duration", f"{seconds:.0f}", "--output", str(out), "--threads", "--nonblocking"]
    spy = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    run_load_process(spec)
    spy.wait(timeout=seconds + 60)
    print(f"  py-spy stacks: {out}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="timed seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="untimed seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bodies", type=int, default=4000, help="distinct bodies per run")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument(
        "--py-spy", type=Path, help="after the rounds, py-spy guardrail-default under each load "
        "and write collapsed stacks to <this>.<load>.txt"
    )
    options = parser.parse_args()

    prefix = f"bench:{uuid.uuid4().hex[:8]}:"
    bodies = Bodies(SEED)
    with tempfile.TemporaryDirectory(prefix="guardrail-pipeline-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        (work / "empty").mkdir()
        shutil.copytree(REPO_ROOT / "policies", work / "policies")
        redis_url = stack.enter_context(redis_for_bench(options.redis_url, work))
        provider = ServerProcess(
            "provider", "bench._apps:standin_app", env={"BENCH_REPLY": SUPPORT_REPLY}
        )
        stack.enter_context(provider)
        env = {
            "BENCH_UPSTREAM": f"{provider.url}/v1",
            "BENCH_MODEL": MODEL,
            "BENCH_REDIS_URL": redis_url,
            "BENCH_REDIS_PREFIX": prefix,
            "BENCH_DATA_DIR": str(work / "data"),
        }
        launch = {
            "litellm": ("bench._apps:litellm_app", {}),
            "guardrail-empty": ("bench._apps:guardrail_app", {"BENCH_POLICIES_DIR": str(work / "empty")}),
            "guardrail-default": (
                "bench._apps:guardrail_app", {"BENCH_POLICIES_DIR": str(work / "policies")}
            ),
        }
        servers = {
            name: stack.enter_context(ServerProcess(name, factory, env={**env, **extra}))
            for name, (factory, extra) in launch.items()
        }
        urls = {name: f"{server.url}/v1/chat/completions" for name, server in servers.items()}
        key = asyncio.run(create_key(redis_url, prefix))
        stack.callback(lambda: asyncio.run(drop_keys(redis_url, prefix)))
        key_headers = {"authorization": f"Bearer {key}"}
        print("checking answers and priming the conversations' earlier turns", flush=True)
        check_and_prime(urls, bodies, key_headers, samples=12)

        def spec_for(target: str, load: str, path: Path) -> LoadSpec:
            items = bodies.batch(load, options.bodies)
            path.write_text(json.dumps(items))
            return LoadSpec(
                url=urls[target],
                body=items[0]["body"],
                headers=key_headers,
                concurrency=options.concurrency,
                warmup_seconds=options.warmup,
                duration_seconds=options.duration,
                bodies_path=str(path),
            )

        runs = {(load, target): Run(target, load) for load in LOADS for target in TARGETS}
        order = list(runs)
        for round_index in range(options.rounds):
            print(f"round {round_index + 1}/{options.rounds}", flush=True)
            shift = (round_index * 2) % len(order)
            for load, target in order[shift:] + order[:shift]:
                spec = spec_for(target, load, work / "bodies.json")
                measure(runs[(load, target)], servers[target], spec)
        report(runs, options)

        if options.py_spy:
            print("\nprofiling guardrail-default", flush=True)
            for load in LOADS:
                spec = spec_for("guardrail-default", load, work / "bodies.json")
                out = options.py_spy.with_name(f"{options.py_spy.name}.{load}.txt")
                profile(servers["guardrail-default"], spec, out, options.warmup + options.duration)


if __name__ == "__main__":
    main()
