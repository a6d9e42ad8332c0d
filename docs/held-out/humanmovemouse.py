#!/usr/bin/env python3
"""Sessions of a third-party humaniser, HumanMoveMouse (PyPI
`HumanMoveMouse` 1.2.0, MIT; a model fitted to 300 recorded human
movements: PCA/GMM shapes, minimum-jerk timing, jitter), in the event CSV
that `huma-eval --bot-recordings NAME=FILE` reads. Nothing of the package
is committed; it is never trained on (a held-out bot family).

Each session acts as its `move_and_click` does on a form: the pointer
starts somewhere on a 1280×800 page, then for each of three targets
(random, at least 100 px from the last) it thinks 1.5–4 s, moves along
the package's own trajectory (`generate_mouse_trajectory`: 100 points,
their delays, jitter 0.3 — its defaults), waits 50–150 ms and clicks with
`pyautogui.click()`, whose press and release come back to back (held
0–2 ms here); with `held`, 60–150 ms instead, as a script that presses
and releases with a pause between would (so that what is measured is the
movement, not pyautogui's click). Every point is written as a pointer
move at its time; the reader frames moves at 60 Hz as a browser does.

usage: pip install HumanMoveMouse==1.2.0   (it imports pyautogui: needs an
       X display, e.g. Xvfb :77 & DISPLAY=:77)
       humanmovemouse.py [sessions] [seed] [held] > humanmovemouse.csv
"""
import math
import random
import sys

from humanmouse.models import get_default_model_path
from humanmouse.models.trajectory_model import generate_mouse_trajectory

WIDTH, HEIGHT = 1280, 800


def target(r, last):
    while True:
        p = (r.uniform(40, WIDTH - 40), r.uniform(40, HEIGHT - 40))
        if math.dist(p, last) >= 100:
            return p


def main(sessions, seed, held):
    r = random.Random(seed)
    model = get_default_model_path()
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    for s in range(sessions):
        at = (r.uniform(0, WIDTH), r.uniform(0, HEIGHT))
        t = r.uniform(200, 800)
        out.write(f"hmm{s},{t:.0f},move,{at[0]:.0f},{at[1]:.0f}\n")
        for _ in range(3):
            to = target(r, at)
            t += r.uniform(1500, 4000)
            xy, dt = generate_mouse_trajectory(
                model_path=model,
                start_point=at,
                end_point=to,
                num_points=100,
                jitter_amplitude=0.3,
                seed=r.randrange(1_000_000),
            )
            for (x, y), d in zip(xy[1:], dt[1:]):
                t += float(d) * 1000.0
                out.write(f"hmm{s},{t:.0f},move,{x:.0f},{y:.0f}\n")
            at = (float(xy[-1][0]), float(xy[-1][1]))
            t += r.uniform(50, 150)
            out.write(f"hmm{s},{t:.0f},down,{at[0]:.0f},{at[1]:.0f}\n")
            hold = r.uniform(60, 150) if held else r.uniform(0, 2)
            out.write(f"hmm{s},{t + hold:.0f},up,{at[0]:.0f},{at[1]:.0f}\n")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(int(args[0]) if args else 300, int(args[1]) if len(args) > 1 else 1, args[2:] == ["held"]))
