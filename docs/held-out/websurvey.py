#!/usr/bin/env python3
"""Converts the web-survey recordings kept in the SapiAgent repository to
the event CSV that `huma-eval --people NAME=FILE` reads
(`src/corpus/events_csv.rs`). Nothing of the data is committed.

The data: 604 sessions of an online questionnaire (a Qualtrics survey
with a recording script, winter 2024/25), each respondent in their own
browser on their own device, one JSON file per session with
`mouseEvents` (mousemove/mousedown/mouseup, ms epoch times, px),
`keyEvents` (keydown/keyup with the key's value) and the user agent; every
session carries the same site key and a session uuid, nothing that ties
two sessions to one person. Folder `owndata_raw/` of
github.com/ttuhin03/sapiagent (commit 6b0a31a; no licence stated, so
read, not copied).

usage: websurvey.py owndata_raw/ > websurvey.csv
       websurvey.py --all feature_berechnung_ownhuman/seleniumTestdaten/ > selenium.csv

`--phones` keeps the other sessions instead, the phones' and tablets',
as the snippet would see them there: each compatibility `mousedown` is a
finger's tap (`tap`: click flag bit 4; its hold is not known, the
compatibility press and release come back to back after the finger
lifted), the compatibility moves are dropped (the snippet files a
finger's moves under touches, which were not recorded, so a phone window
has no pointer trace), keys and scrolls as on desktops. For
`huma-eval --phone-people`, which gives the windows a phone's env.

       websurvey.py --phones owndata_raw/ > websurvey-phones.csv

The same repository holds 18 sessions its author recorded from a Selenium
script on the same survey page (`feature_berechnung_ownhuman/
seleniumTestdaten/`, same format): `--all` keeps every session, for
`huma-eval --bot-recordings`.

Kept by default: desktop sessions only — a phone's or tablet's mouse events are the
compatibility events a browser makes from taps (one move and a press at
the same point), which the snippet does not read (it listens to pointer
events and files fingers under touches). So a session is dropped when its
user agent names Android, iPhone, iPad or Mobile, or when it has fewer
than 5 mouse moves per press (an iPad asking for the desktop site says
"Macintosh"; every such session here has exactly one move per press, every
other desktop session at least 29).

A person is one session, except that some sessions overlap: the same
events (same epoch millisecond, same point) stored under two or more
uuids, as if the recorder saved a page's session again after a reload.
Sessions that share any mouse event are one person here, and each event
is written once.

Scrolls: see `scrolls` below.

Keys: a keydown and the next keyup of the same key value make a press (a
press with no keyup is dropped); classes as the snippet assigns them from
`key` (Backspace/Delete 1, Enter/Tab 3, one character 0, any other key
2). The recordings have no modifier state, so a shortcut's letter reads
as class 0 where the snippet would give 2.
"""
import json
from collections import Counter
import os
import re
import sys

MOBILE = re.compile(r"Android|iPhone|iPad|Mobile")
# Fewer mouse moves per press than this is a touch screen's compatibility events.
MIN_MOVES_PER_PRESS = 5
# A longer hold is a lost keyup (the event CSV reads holds up to a minute).
MAX_HOLD_MS = 60_000
KINDS = {"mousemove": "move", "mousedown": "down", "mouseup": "up"}
# Events of one millisecond in the order a browser fires them.
ORDER = {"move": 0, "down": 1, "tap": 1, "up": 2, "key": 3, "scroll": 4}


def key_class(key):
    if key in ("Backspace", "Delete"):
        return 1
    if key in ("Enter", "Tab"):
        return 3
    if len(key) == 1 or key in ("Process", "Unidentified", "Dead"):
        return 0
    return 2


def keys(events):
    """(t, hold, class) per press, from keydown/keyup pairs of one key."""
    down = {}
    for e in sorted(events, key=lambda e: e["timestamp"]):
        key, t = e.get("key") or "", e["timestamp"]
        if e["type"] == "keydown" and key not in down:
            down[key] = t
        elif e["type"] == "keyup" and key in down:
            t0 = down.pop(key)
            if t - t0 <= MAX_HOLD_MS:
                yield t0, t - t0, key_class(key)


def scrolls(events, key_times):
    """(t, dy, source) per scroll event, as the snippet reads a page's scroll:
    the change of `scrollY` since the last event (rounded, 0 dropped);
    source 2 (keyboard) when a key went down in the 250 ms before, else 3:
    the recording has no wheel or touch events, so a wheel's scroll is
    not credited as a device's (what the model reads as human) and the
    machine side of the scroll term, which ignores the source, is what
    is measured."""
    keys = sorted(key_times)
    prev, k = 0.0, 0
    for e in sorted(events, key=lambda e: e["timestamp"]):
        t, y = e["timestamp"], e.get("scrollY")
        if not isinstance(y, (int, float)):
            continue
        dy = round(y - prev)
        prev = y
        while k < len(keys) and keys[k] <= t:
            k += 1
        source = 2 if k and t - keys[k - 1] < 250 else 3
        if dy:
            yield t, dy, source


def main(args):
    keep_all = args[0] == "--all"
    phones = args[0] == "--phones"
    root = args[-1]
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    sessions, dropped = [], 0
    for name in sorted(os.listdir(root)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(root, name)) as f:
            session = json.load(f)
        mouse = session.get("mouseEvents") or []
        moves = sum(e["type"] == "mousemove" for e in mouse)
        presses = sum(e["type"] == "mousedown" for e in mouse)
        touch = bool(MOBILE.search(session.get("userAgent") or "")) or moves < MIN_MOVES_PER_PRESS * presses
        if not keep_all and touch != phones:
            dropped += 1
            continue
        if phones:
            rows = [(e["timestamp"], "tap", e["x"], e["y"]) for e in mouse if e["type"] == "mousedown"]
        else:
            rows = [(e["timestamp"], KINDS[e["type"]], e["x"], e["y"]) for e in mouse if e["type"] in KINDS]
        rows += [(t, "key", hold, cls) for t, hold, cls in keys(session.get("keyEvents") or [])]
        downs = [e["timestamp"] for e in session.get("keyEvents") or [] if e["type"] == "keydown"]
        rows += [(t, "scroll", dy, src) for t, dy, src in scrolls(session.get("scrollEvents") or [], downs)]
        sessions.append((session.get("uuid") or name, rows))
    # Sessions sharing a mouse event are one person (union-find on events).
    parent = list(range(len(sessions)))

    def root_of(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first = {}
    for i, (_, rows) in enumerate(sessions):
        for r in rows:
            if r[1] not in ("key", "scroll"):
                j = first.setdefault(r, i)
                parent[root_of(i)] = root_of(j)
    # Per person, each event as many times as the session that has it most.
    people = {}
    for i, (uuid, rows) in enumerate(sessions):
        merged = people.setdefault(root_of(i), (uuid, Counter()))[1]
        for r, n in Counter(rows).items():
            merged[r] = max(merged[r], n)
    for uuid, merged in sorted(people.values()):
        rows = sorted(merged.elements(), key=lambda r: (r[0], ORDER[r[1]], r[2], r[3]))
        start = rows[0][0] if rows else 0
        for t, kind, x, y in rows:
            out.write(f"{uuid},{t - start:.0f},{kind},{x:.0f},{y:.0f}\n")
    print(f"websurvey: {len(sessions)} sessions kept ({len(people)} persons), {dropped} dropped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
