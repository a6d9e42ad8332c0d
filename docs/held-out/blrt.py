#!/usr/bin/env python3
"""Converts the online mouse-tracking study in github.com/arielevy8/
mouse-tracking-tools (folder blrt-conf/ at commit 954be738, 2024-12-25) to
the event CSV that `huma-eval --people NAME=FILE` reads
(`src/corpus/events_csv.rs`). Nothing of the dataset is committed (the
repository states no licence; research use, as ../shared/data's README
treats such data).

The data: 166 participants recruited online (Prolific), each in their own
browser with their own mouse ("please use a computer mouse and not a
trackpad"), a jsPsych mouse tracker from the Kleiman lab (Hebrew
University): per choice trial, the cursor's path from a start button to
one of two images, as `x_cord`, `y_cord` and `time_cord` (ms since the
epoch) lists. Only those paths were recorded: no clicks, no keys, nothing
between trials.

usage: blrt.py blrt-conf/*.csv > blrt.csv

A person is one participant file.
"""
import csv
import os
import sys

csv.field_size_limit(1 << 30)


def main(paths):
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    for path in sorted(paths):
        person = os.path.splitext(os.path.basename(path))[0]
        events = []
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                xs, ys, ts = (row.get(k) or "" for k in ("x_cord", "y_cord", "time_cord"))
                if not (xs and ys and ts):
                    continue
                try:
                    points = list(zip(map(float, ts.split(",")), map(float, xs.split(",")), map(float, ys.split(","))))
                except ValueError:
                    continue
                events.extend(points)
        for t, x, y in sorted(events):
            out.write(f"{person},{t:.0f},move,{x:.0f},{y:.0f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
