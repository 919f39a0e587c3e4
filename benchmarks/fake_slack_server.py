"""FakeSlack in its own process, so the benchmark's client and the fake don't share a GIL.

Prints the fake's Web API URL and token on stdout, then serves until stdin closes. Trigger ids
`bench.0` … `bench.N-1` are pre-registered and never expire. `--members N` adds N more people
(U1000 …, handles p1000 …) to the workspace and the channel; `--users-list-delay S` makes every
users.list page take S seconds, as a big workspace's paging does.
"""

from __future__ import annotations

import argparse
import sys

from tests.fakes.slack import FakeSlack

TRIGGERS = 5000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=0)
    parser.add_argument("--users-list-delay", type=float, default=0.0)
    options = parser.parse_args()
    with FakeSlack() as slack:
        slack.trigger_ttl = 1e9
        slack.add_member("U1", "kevin", real_name="Kevin Ortiz")
        people = ["U1"]
        for n in range(1000, 1000 + options.members):
            slack.add_member(f"U{n}", f"p{n}", real_name=f"Person {n}")
            people.append(f"U{n}")
        slack.add_channel("C0STANDUP", "eng", members=people)
        for i in range(TRIGGERS):
            slack.register_trigger(f"bench.{i}")
        if options.users_list_delay > 0:
            slack.fail_next("users.list", delay=options.users_list_delay, times=10**9)
        print(slack.url, slack.token, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
