"""The compiled engine (tools/mypyc_build.py) says what the Python one says, byte for byte.

    .venv/bin/python tools/mypyc_build.py          (or `make fast`: build/compiled/)
    .venv/bin/python benchmarks/compiled_identity.py [--build build/compiled]

Runs the same conversations twice: in pure Python, and with the build on PYTHONPATH (checking
that its modules are the compiled ones). Each side is played in SHARDS processes of its own,
as many at a time as there are cores, and the two are compared:

- every conversation of every set under tests/understanding/ (`understanding.py`'s SETS), as
  `understanding.py` plays it: the transcript (every customer message and every bot reply,
  its notes and links), the problems and the wrong payments, and every engine step of it
  (the test's Till steps: each step's effects, their repr, and the session after it, as JSON);
- every YAML conversation test of the four bots (pizza, pc_support, nail_studio, airline), the
  same way, and `theke test bots/<bot>`'s output and exit status;
- the benchmark order (`engine.py`'s), turn by turn: its effects and the session after it.

Each conversation is played once a side: its steps are recorded as the test plays it (until
2026-12-07 every tests/understanding chat was played a second time, as `engine.py --varied`
replays it, for its steps alone).

Exits 1 when anything differs, or when the build's modules are not the ones imported.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BOTS = ("pizza", "pc_support", "nail_studio", "airline")
Record = dict[str, Any]
Side = tuple[list[Record], list[Record]]
"""A side's records, and each of its processes' modules record."""
Tests = dict[str, tuple[int, str, str]]
"""`theke test bots/<bot>`'s exit status, output and errors, by bot."""
SHARDS = 2 * (os.cpu_count() or 1)
"""Processes a side is played in: more than the cores, so that none waits long for the
last (the sets differ in size)."""


_STEPS: dict[int, list[list[str]]] = {}
"""The engine steps of each review (by its id, while it lives): each step's effects and the
session after it, recorded by `_record_steps`."""


def _record_steps() -> None:
    """Record every Till step (the engine's step with its requests answered) into the review
    being played, so that a conversation played once gives its transcript and its steps."""
    import understanding

    from framework.testing import conversations
    from framework.testing.till import Till

    playing: list[list[str]] = []
    till_step, review_test = Till.step, conversations.review_test

    def step(self: Till, session: Any, event: Any) -> Any:
        result = till_step(self, session, event)
        playing.append([repr(result.effects), json.dumps(result.session)])
        return result

    def reviewed(*args: Any, **kwargs: Any) -> Any:
        playing.clear()
        review = review_test(*args, **kwargs)
        _STEPS[id(review)] = list(playing)
        return review

    Till.step = step  # type: ignore[method-assign]
    understanding.review_test = conversations.review_test = reviewed


def _record(kind: str, key: str, review: Any) -> Record:
    return {
        "kind": kind,
        "key": key,
        "transcript": review.transcript,
        "problems": review.problems,
        "wrong_payments": review.wrong_payments,
        "steps": _STEPS.pop(id(review)),
    }


def _set_records(name: str) -> Iterator[Record]:
    from understanding import SETS, review_corpus

    for index, case in enumerate(review_corpus(SETS[name])):
        key = f"{name}/{case.lang}/{case.category}#{index} {case.review.test.name}"
        yield _record(f"set {name}", key, case.review)


def _bot_records(bot_name: str) -> Iterator[Record]:
    from framework.flows import load_bot
    from framework.testing import conversations

    root = ROOT / "bots" / bot_name
    bot = load_bot(root)
    for path in sorted((root / "tests").glob("*.yaml")):
        for test in conversations.load_tests(path):
            review = conversations.review_test(bot, test)
            yield _record(f"bot {bot_name}", f"{bot_name}/{path.name} {test.name}", review)


def _order_turns() -> Iterator[Record]:
    """The benchmark order's turns, as `engine.py` plays them (no request answered)."""
    from engine import BOT, NOW
    from pizza_order import ORDER

    from framework.flows import Message, load_bot, new_session, step

    bot = load_bot(BOT)
    session = new_session(bot)
    turns = []
    for text in ORDER:
        result = step(bot, session, Message(text, NOW))
        session = result.session
        turns.append([text, [repr(e) for e in result.effects], json.dumps(session)])
    yield {"kind": "engine turns", "key": "the benchmark order", "turns": turns}


def _units() -> list[Callable[[], Iterator[Record]]]:
    """The work in parts a process plays whole (their order is the order of the records
    compared): each set, each bot's tests, the benchmark order."""
    from understanding import SETS

    return [
        *(partial(_set_records, name) for name in SETS),
        *(partial(_bot_records, bot) for bot in BOTS),
        _order_turns,
    ]


def _compiled_modules() -> list[str]:
    return sorted(
        name
        for name, module in sys.modules.items()
        if name.startswith("framework.") and str(getattr(module, "__file__", "")).endswith(".so")
    )


def _same_tokens() -> None:
    """Random tokens (a booking's calendar link) drawn from one seeded generator, the same
    in both runs."""
    draw = random.Random(0)

    def token_urlsafe(nbytes: int | None = None) -> str:
        return base64.urlsafe_b64encode(draw.randbytes(nbytes or 32)).rstrip(b"=").decode()

    secrets.token_urlsafe = token_urlsafe


def dump(path: Path, shard: int = 0, shards: int = 1) -> None:
    """This process's side: the records of every `shards`-th unit from `shard` on, as lines of
    JSON (each with its unit's number), the compiled modules last."""
    _same_tokens()
    _record_steps()
    with path.open("w", encoding="utf-8") as out:
        for number, unit in enumerate(_units()):
            if number % shards == shard:
                for record in unit():
                    out.write(json.dumps({**record, "unit": number}, ensure_ascii=False) + "\n")
        import framework

        where = str(Path(framework.__file__).resolve().parent.parent)
        modules = {"kind": "modules", "compiled": _compiled_modules(), "from": where}
        out.write(json.dumps(modules) + "\n")


def _env(build: Path | None) -> dict[str, str]:
    """The build's framework/ on PYTHONPATH, or this tree's (whichever tree the environment's
    editable install points to)."""
    return {**os.environ, "PYTHONPATH": str(build or ROOT)}


def _dump(build: Path | None, out: Path, shard: int, shards: int) -> float:
    """One process's records; the seconds it took."""
    started = time.monotonic()
    # run from benchmarks/ (the script's folder first on sys.path), so that the working tree's
    # framework/ does not come before the build's
    command = [sys.executable, __file__, "--dump", str(out), "--shard", f"{shard}/{shards}"]
    subprocess.run(command, env=_env(build), cwd=ROOT, check=True)
    return time.monotonic() - started


def _theke_test(build: Path | None, bot: str) -> tuple[int, str, str]:
    theke = Path(sys.executable).with_name("theke")
    run = subprocess.run(
        [str(theke), "test", f"bots/{bot}"],
        env=_env(build),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return run.returncode, run.stdout, run.stderr


def _records(outs: list[Path]) -> Side:
    """A side's records in the order of their units, and each process's modules record."""
    records: list[Record] = []
    modules = []
    for out in outs:
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        modules.append(lines.pop())
        records += lines
    return sorted(records, key=lambda record: record["unit"]), modules


def _play(build: Path, folder: Path) -> tuple[dict[str, Side], dict[str, Tests]]:
    """Both sides, each in SHARDS processes, as many at a time as there are cores; then
    `theke test` of every bot on each side."""
    sides = {"pure": None, "compiled": build}
    outs = {label: [folder / f"{label}-{k}.jsonl" for k in range(SHARDS)] for label in sides}
    started = time.monotonic()
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        seconds = {
            label: [pool.submit(_dump, side, out, k, SHARDS) for k, out in enumerate(outs[label])]
            for label, side in sides.items()
        }
        tests = {
            label: {bot: pool.submit(_theke_test, side, bot) for bot in BOTS}
            for label, side in sides.items()
        }
        for label in sides:
            spent = sum(future.result() for future in seconds[label])
            print(f"{label}: conversations played in {spent:.0f} s of {SHARDS} processes")
        results = {label: {b: f.result() for b, f in tests[label].items()} for label in sides}
    print(f"both, {os.cpu_count()} at a time: {time.monotonic() - started:.0f} s", flush=True)
    return {label: _records(outs[label]) for label in sides}, results


def _show(one: Record, other: Record) -> None:
    """The first line in which two records differ."""
    print(f"DIFFERS: {one['key']}")
    ours, theirs = json.dumps(one, indent=1), json.dumps(other, indent=1)
    for a, b in zip(ours.splitlines(), theirs.splitlines(), strict=False):
        if a != b:
            print(f"  pure:     {a[:300]}\n  compiled: {b[:300]}")
            return


def _compare_records(pure: list[Record], compiled: list[Record]) -> int:
    """The differing records, a table of what was compared printed."""
    differ = 0
    counts: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    steps: Counter[str] = Counter()
    same: Counter[str] = Counter()
    for one, other in zip(pure, compiled, strict=True):
        kind = one["kind"]
        counts[kind] += 1
        if "transcript" in one:
            replies[kind] += sum(line.startswith("  ") for line in one["transcript"])
        steps[kind] += len(one.get("steps", one.get("turns", ())))
        if one == other:
            same[kind] += 1
        else:
            differ += 1
            if differ <= 5:
                _show(one, other)
    print(f"{'what':<24} {'conversations':>13} {'identical':>9} {'replies':>9} {'steps':>9}")
    for kind in counts:
        print(
            f"{kind:<24} {counts[kind]:>13,} {same[kind]:>9,} {replies[kind]:>9,} {steps[kind]:>9,}"
        )
    print(f"{'all':<24} {sum(counts.values()):>13,} {sum(same.values()):>9,}")
    return differ


def compare(build: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        played, tests = _play(build, Path(tmp))
    (pure, pure_modules), (compiled, compiled_modules) = played["pure"], played["compiled"]
    modules = sorted({name for record in compiled_modules for name in record["compiled"]})
    if any(record["compiled"] for record in pure_modules) or not all(
        record["compiled"] for record in compiled_modules
    ):
        print("the pure run imported compiled modules, or the compiled one none", file=sys.stderr)
        return 1
    places = {record["from"] for record in pure_modules}, {r["from"] for r in compiled_modules}
    if places != ({str(ROOT)}, {str(build)}):
        print(f"framework imported from {places[0]}, {places[1]}")
        return 1
    built = {
        ".".join((*path.relative_to(build).parts[:-1], path.name.split(".")[0])).removesuffix(
            ".__init__"
        )
        for path in build.glob("framework/**/*.so")
    }
    unused = ", ".join(sorted(built - set(modules))) or "none"
    print(f"compiled modules imported: {len(modules)} of {len(built)} (not imported: {unused})")
    if [r["key"] for r in pure] != [r["key"] for r in compiled]:
        print("the two runs played different conversations", file=sys.stderr)
        return 1
    differ = _compare_records(pure, compiled)
    for bot in BOTS:
        identical = tests["pure"][bot] == tests["compiled"][bot]
        status, output, _ = tests["compiled"][bot]
        last = output.strip().splitlines()[-1] if output.strip() else ""
        print(f"theke test bots/{bot}: exit {status}, {last!r}, identical: {identical}")
        differ += not identical
    print("IDENTICAL" if not differ else f"{differ} DIFFERENCES")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, default=ROOT / "build" / "compiled")
    parser.add_argument("--dump", type=Path, help="only write this process's records there")
    parser.add_argument("--shard", default="0/1", help="with --dump: K/N, every N-th unit from K")
    args = parser.parse_args()
    if args.dump:
        shard, shards = (int(part) for part in args.shard.split("/"))
        dump(args.dump, shard, shards)
        return 0
    if not any(args.build.glob("framework/flows/*.so")):
        print(f"no compiled build in {args.build}: tools/mypyc_build.py", file=sys.stderr)
        return 1
    return compare(args.build.resolve())


if __name__ == "__main__":
    sys.exit(main())
