"""FakeSlack in its own process, so the benchmark's client and the fake don't share a GIL.

Prints the fake's Web API URL on stdout, then serves until stdin closes. Trigger ids
`bench.0` … `bench.N-1` are pre-registered and never expire.
"""

from __future__ import annotations

import sys

from tests.fakes.slack import FakeSlack

TRIGGERS = 5000


def main() -> None:
    with FakeSlack() as slack:
        slack.trigger_ttl = 1e9
        slack.add_member("U1", "kevin", real_name="Kevin Ortiz")
        slack.add_channel("C0STANDUP", "eng", members=["U1"])
        for i in range(TRIGGERS):
            slack.register_trigger(f"bench.{i}")
        print(slack.url, slack.token, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
