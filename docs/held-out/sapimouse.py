#!/usr/bin/env python3
"""Converts the SapiMouse recordings to the event CSV that
`huma-eval --people NAME=FILE` reads (`src/corpus/events_csv.rs`). Nothing
of the dataset is committed.

The data: 120 people, each in two sessions (about 1 min and 3 min, on the
same or different days), recorded in the browser by a JavaScript web app
while they clicked and dragged on-screen targets; one row per mouse event,
`client timestamp,button,state,x,y` (ms since the session's start, page px;
state Move, Drag, Pressed or Released). Paper: M. Antal, N. Fejér, K. Buza,
"SapiMouse: Mouse Dynamics-based User Authentication Using Deep Feature
Learning", SACI 2021 (dataset: ms.sapientia.ro/~manyi/sapimouse). A copy
of its `sapimouse/` folder is in github.com/ttuhin03/sapiagent (commit
6b0a31a; the folder `sapimouse/userN/session_*.csv`).

usage: sapimouse.py sapimouse/ > sapimouse.csv

A person is one `userN` folder (both sessions: the unit never split). The
sessions are put on one clock, each starting a minute after the one before
ended, so that no window spans two of them.
"""
import csv
import os
import sys

# Between two sessions of one person: longer than a window, so none spans both.
SESSION_GAP_MS = 60_000
KINDS = {"Move": "move", "Drag": "move", "Pressed": "down", "Released": "up"}


def rows(path):
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            kind = KINDS.get(row["state"])
            try:
                t, x, y = float(row["client timestamp"]), float(row["x"]), float(row["y"])
            except (KeyError, ValueError):
                continue
            if kind:
                yield t, kind, x, y


def main(root):
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    users = sorted(
        (d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))),
        key=lambda d: int(d.removeprefix("user")) if d.removeprefix("user").isdigit() else 0,
    )
    for user in users:
        clock = 0.0
        for name in sorted(os.listdir(os.path.join(root, user))):
            if not name.endswith(".csv"):
                continue
            # Stable sort: rows of one millisecond keep the recorded order.
            events = sorted(rows(os.path.join(root, user, name)), key=lambda e: e[0])
            if not events:
                continue
            start = events[0][0]
            for t, kind, x, y in events:
                out.write(f"{user},{clock + t - start:.0f},{kind},{x:.0f},{y:.0f}\n")
            clock += events[-1][0] - start + SESSION_GAP_MS
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
