#!/usr/bin/env python3
"""Load against one Docker API daemon (DOCKER_HOST), driven by bench/load.sh.

usage: load.py CLIENTS DURATION_S CONTAINERS SUBSCRIBERS PHASE_FILE

Starts CONTAINERS `busybox sleep` containers, then SUBSCRIBERS event streams (container events with
the bench's label, since just before the load) and CLIENTS - SUBSCRIBERS workers that for DURATION_S
seconds take turns at: inspect of a random running container, `ps`, `ps -a` filtered by label, and a
create/start/stop/rm cycle of a new container. Every subscriber must see the create, start and
destroy of every cycled container. Prints a markdown table; exits 1 on any error or lost event.
"""
import os
import random
import sys
import threading
import time

import docker

LABEL = {"berth.load": "1"}
OPS = ("inspect", "ps", "ps -a label", "create", "start", "stop", "rm")


def client():
    return docker.DockerClient(base_url=os.environ["DOCKER_HOST"], timeout=300)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ms = {op: [] for op in OPS}
        self.errors = {op: 0 for op in OPS}
        self.samples = []

    def timed(self, op, fn):
        t0 = time.perf_counter()
        try:
            out = fn()
        except Exception as e:  # every failure counts; the first few are shown
            with self.lock:
                self.errors[op] += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{op}: {e}")
            return None
        with self.lock:
            self.ms[op].append((time.perf_counter() - t0) * 1000)
        return out


def pct(sorted_ms, p):
    if not sorted_ms:
        return 0.0
    i = max(0, min(len(sorted_ms) - 1, int(round(p / 100 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[i]


def subscribe(since, seen, ready, stop):
    c = client()
    stream = c.events(since=since, filters={"type": "container", "label": "berth.load=1"}, decode=True)
    ready.release()
    try:
        for e in stream:
            actor = (e.get("Actor") or {}).get("ID") or e.get("id")
            seen.add((actor, e.get("Action") or e.get("status")))
            if stop.is_set():
                break
    except Exception:
        if not stop.is_set():
            raise
    finally:
        stream.close()


def worker(n, ids, stats, deadline, cycled, cycled_lock):
    c = client()
    rnd = random.Random(n)
    turn = n
    while time.monotonic() < deadline:
        kind = turn % 4
        turn += 1
        if kind == 0:
            stats.timed("inspect", lambda: c.api.inspect_container(rnd.choice(ids)))
        elif kind == 1:
            stats.timed("ps", lambda: c.api.containers())
        elif kind == 2:
            stats.timed("ps -a label", lambda: c.api.containers(all=True, filters={"label": "berth.load=1"}))
        else:
            made = stats.timed("create", lambda: c.api.create_container(
                "busybox", ["sleep", "1000"], labels=LABEL,
                host_config=c.api.create_host_config(network_mode="none")))
            if made is None:
                continue
            cid = made["Id"]
            started = stats.timed("start", lambda: c.api.start(cid) or True)
            with cycled_lock:
                cycled.append((cid, started is not None))
            stats.timed("stop", lambda: c.api.stop(cid, timeout=0))
            stats.timed("rm", lambda: c.api.remove_container(cid, force=True))


def main():
    clients, duration, containers, subscribers, phase = (int(sys.argv[1]), int(sys.argv[2]),
                                                         int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
    workers = clients - subscribers
    if workers < 1:
        sys.exit("CLIENTS must exceed SUBSCRIBERS")
    c = client()
    print(f"starting {containers} containers", file=sys.stderr)
    ids = []
    for _ in range(containers):
        made = c.api.create_container("busybox", ["sleep", "100000"], labels=LABEL,
                                      host_config=c.api.create_host_config(network_mode="none"))
        c.api.start(made["Id"])
        ids.append(made["Id"])

    since = int(time.time()) - 1
    stop = threading.Event()
    seen = [set() for _ in range(subscribers)]
    ready = threading.Semaphore(0)
    subs = [threading.Thread(target=subscribe, args=(since, seen[i], ready, stop), daemon=True)
            for i in range(subscribers)]
    for t in subs:
        t.start()
    for _ in subs:
        ready.acquire()

    with open(phase, "w") as f:
        f.write(str(int(time.time())))
    print(f"{workers} workers and {subscribers} subscribers for {duration} s", file=sys.stderr)
    stats = Stats()
    cycled, cycled_lock = [], threading.Lock()
    deadline = time.monotonic() + duration
    t0 = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n, ids, stats, deadline, cycled, cycled_lock))
            for n in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - t0

    # Events of the last cycles may still be on their way. A start that failed has no event.
    want = {(cid, a) for cid, started in cycled for a in (("create", "start", "destroy") if started
                                                           else ("create", "destroy"))}
    for _ in range(100):
        if all(want <= s for s in seen):
            break
        time.sleep(0.1)
    stop.set()
    lost = [len(want - s) for s in seen]

    print(f"\n| operation | count | errors | p50 ms | p99 ms | max ms | ops/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for op in OPS:
        ms = sorted(stats.ms[op])
        print(f"| {op} | {len(ms)} | {stats.errors[op]} | {pct(ms, 50):.1f} | {pct(ms, 99):.1f} | "
              f"{(ms[-1] if ms else 0):.1f} | {len(ms) / elapsed:.1f} |")
    print(f"\n{workers} workers, {subscribers} subscribers, {containers} containers running, "
          f"{len(cycled)} containers cycled in {elapsed:.1f} s")
    print(f"events lost per subscriber (of {len(want)} expected): {lost}")
    for s in stats.samples:
        print(f"error: {s}")
    errors = sum(stats.errors.values())
    sys.exit(1 if errors or any(lost) else 0)


if __name__ == "__main__":
    main()
