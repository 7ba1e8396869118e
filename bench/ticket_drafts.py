"""Reply drafting speed: a batch of tickets drafted one after another, as
`plant tickets draft --status new` works through the queue.

Usage:
    python -m bench.ticket_drafts [--tickets 100] [--no-write]

Target (issue 18): 100 tickets in <= 2 minutes on 2 CPU cores. The tickets are the sample
tickets of knowledge/eval/tickets (development and test, cycled to the count asked; their
wording only matters for speed here), drafted with the plant index and the extractive reader;
results go into the `bench.ticket_drafts` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np

from assistant.settings import get_settings
from assistant.tickets.drafting import DraftRequest
from assistant.tickets.evaluation import load_tickets
from assistant.wiring import make_drafter
from bench.machine import describe_machine
from bench.report import write_section


def measure(count: int) -> dict[str, float]:
    settings = get_settings()
    folder = settings.eval_dir / "tickets"
    labelled = load_tickets(folder / "tickets_dev.jsonl") + load_tickets(
        folder / "tickets_test.jsonl"
    )
    tickets = list(itertools.islice(itertools.cycle(labelled), count))
    started = time.perf_counter()
    drafter = make_drafter(settings)
    drafter.draft(DraftRequest("Warm-up", "How long is the warranty?"), agent="bench")
    load_s = time.perf_counter() - started
    timings = []
    batch_started = time.perf_counter()
    for t in tickets:
        request = DraftRequest(
            subject=t.subject, body=t.body, customer=t.customer or "", category=t.category,
            language=t.language, urgency=t.urgency, external_id=t.external_id,
        )  # fmt: skip
        t0 = time.perf_counter()
        drafter.draft(request, agent="bench")
        timings.append(time.perf_counter() - t0)
    return {
        "n": len(timings),
        "load_s": load_s,
        "batch_s": time.perf_counter() - batch_started,
        "p50_s": float(np.percentile(timings, 50)),
        "p95_s": float(np.percentile(timings, 95)),
    }


def to_markdown(result: dict[str, float]) -> str:
    return "\n".join(
        [
            f"_Measured {time.strftime('%Y-%m-%d')} on: {describe_machine()}._",
            "",
            "| tickets | start-up (s) | batch (s) | p50 per ticket (s) | p95 per ticket (s) |",
            "|---|---|---|---|---|",
            f"| {result['n']:.0f} | {result['load_s']:.1f} | {result['batch_s']:.1f} | "
            f"{result['p50_s']:.2f} | {result['p95_s']:.2f} |",
            "",
            "Target: 100 tickets in ≤ 120 s. Start-up (index, embedder, answerability model, "
            "one warm-up draft) is paid once per batch and not in the batch time.",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    markdown = to_markdown(measure(args.tickets))
    print(markdown)
    if not args.no_write:
        write_section("ticket_drafts", "Ticket reply drafting speed", markdown)


if __name__ == "__main__":
    main()
