#!/usr/bin/env python3
"""Converts the point-and-click recordings of Freihaut & Göritz (2021) to
the event CSV that `huma-eval --people NAME=FILE` reads
(`src/corpus/events_csv.rs`). Nothing of the dataset is committed.

The data: 57 people in a lab study, each clicking circles for about 30 s
twice (high- and low-stress condition), recorded by a React web app in the
browser (ms timestamps, page px; clicks carry no release time). Repository
github.com/Freihaut/Freihaut_Goeritz-2021-Study_Files-Mouse (GPL-3.0),
file Datasets/Data_LSTM_Analysis/Data_PointClick_Task.pkl. Paper:
Freihaut, P. & Göritz, A. S. (2021), Using the computer mouse for stress
measurement – an empirical investigation and critical review, Int. J.
Human-Computer Studies 145, 102520.

usage: freihaut.py Data_PointClick_Task.pkl > freihaut.csv

A person is one participant (both conditions: the unit never split).
"""
import pickle
import sys


def main(path):
    with open(path, "rb") as f:
        data = pickle.load(f)
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    kinds = {"MousePositionChanged": "move", "MouseClick": "click"}
    for person in sorted(data):
        # Both conditions, in the order they were recorded (one clock).
        events = sorted(
            (t, kinds[kind], x, y)
            for rec in data[person].values()
            for kind, t, x, y in zip(rec["eventType"], rec["time"], rec["x"], rec["y"])
            if kind in kinds
        )
        for t, kind, x, y in events:
            out.write(f"{person},{t},{kind},{x},{y}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
