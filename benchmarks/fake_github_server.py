"""FakeGitHub in its own process, seeded by a benchmark, so the process measured (and the
benchmark that starts it) does not carry the fake's data.

    python -m benchmarks.fake_github_server MODULE   # MODULE.seed(fake) fills it

Prints `url token` on stdout, then answers one command per line on stdin until it closes:
`count PATH [STATUS]` prints how many recorded requests have a path starting with PATH (and
that answer status), `clear` forgets them (prints `ok`).
"""

from __future__ import annotations

import importlib
import sys

from tests.fakes.github import FakeGitHub


def main() -> None:
    seeder = importlib.import_module(sys.argv[1])
    with FakeGitHub() as fake:
        seeder.seed(fake)
        print(fake.url, fake.token, flush=True)
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "clear":
                fake.clear_requests()
                print("ok", flush=True)
            elif words[0] == "count":
                status = int(words[2]) if len(words) > 2 else None
                print(fake.count(words[1], status=status), flush=True)


if __name__ == "__main__":
    main()
