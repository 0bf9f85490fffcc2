"""What the analyzer found in one text, and which of it a policy acts on.

Overlapping detections (an email whose domain is also a URL, a phone number
that also fits an ID pattern) become exactly one detection covering all of
them, so replacement never splices two placeholders into the same characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrail.pii.policy import PiiPolicy


@dataclass(frozen=True, slots=True)
class Detection:
    entity: str
    start: int
    end: int
    score: float

    @property
    def length(self) -> int:
        return self.end - self.start


def select(text: str, detections: tuple[Detection, ...], policy: PiiPolicy) -> list[Detection]:
    """Keep what the policy asks for, drop allow-listed terms, resolve overlaps."""
    wanted = []
    folded: str | None = None  # casefolded once per text, not once per detection
    for detection in detections:
        rule = policy.rule(detection.entity)
        if rule is None or detection.score < rule.threshold:
            continue
        if policy.allow_list:
            folded = text.casefold() if folded is None else folded
            if _allow_listed(text, folded, detection, policy):
                continue
        wanted.append(detection)
    return resolve_overlaps(wanted)


def resolve_overlaps(detections: list[Detection]) -> list[Detection]:
    """One detection per cluster of overlapping ones: the union of their spans,
    typed after the longest (then highest-scoring) member."""
    resolved: list[Detection] = []
    cluster: list[Detection] = []
    cluster_end = -1
    for detection in sorted(detections, key=lambda d: (d.start, -d.end)):
        if cluster and detection.start >= cluster_end:
            resolved.append(_merge(cluster))
            cluster = []
        cluster_end = max(cluster_end, detection.end) if cluster else detection.end
        cluster.append(detection)
    if cluster:
        resolved.append(_merge(cluster))
    return resolved


def _merge(cluster: list[Detection]) -> Detection:
    if len(cluster) == 1:
        return cluster[0]
    winner = max(cluster, key=lambda d: (d.length, d.score, d.entity))
    return Detection(
        entity=winner.entity,
        start=min(d.start for d in cluster),
        end=max(d.end for d in cluster),
        score=winner.score,
    )


def _allow_listed(text: str, folded: str, detection: Detection, policy: PiiPolicy) -> bool:
    value = text[detection.start : detection.end]
    if policy.is_allowed(value):
        return True
    for term in policy.allow_list:
        needle = term.casefold()
        # Same length under casefold for the scripts we handle, so offsets hold.
        at = folded.find(needle, max(0, detection.start - len(needle)))
        while at != -1 and at <= detection.start:
            if at + len(needle) >= detection.end:
                return True
            at = folded.find(needle, at + 1)
    return False
