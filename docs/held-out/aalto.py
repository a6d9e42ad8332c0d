#!/usr/bin/env python3
"""Converts a subset of the Aalto 136M Keystrokes dataset (Dhakal, Feit,
Kristensson and Oulasvirta, "Observations on typing from 136 million
keystrokes", CHI 2018: an online typing test, each participant on their
own computer and keyboard, in their own browser) to the event CSV that
`huma-eval --people NAME=FILE` reads (`src/corpus/events_csv.rs`, `key`
events). Nothing of the dataset is committed.

The subset: `data/never_seen.zip` of github.com/nunzia-damb/biometric-system
(commit 83a6f87), 96 participants' files as that project preprocessed them
(its `parse_dataset.py`): per participant a JSON list of 15 sentences, each
a list of key presses `[keycode, hold, press-to-press, release-to-press]`
in ms (latencies as absolute values), padded with `[0, 0, 0, 0]` rows and
truncated at 100 presses. No mouse, no clicks: keyboard-only people.

Each sentence's presses are laid out at their press-to-press latencies,
sentences 3 s apart (the test showed the next sentence; the gap was not
kept). Key classes follow `web/huma.js`: Backspace/Delete 1, Enter/Tab 3,
modifiers, arrows and other non-character keys 2, the rest 0.

usage: aalto.py never_seen.zip > aalto.csv
"""
import json
import os
import sys
import zipfile

SENTENCE_GAP_MS = 3000
PAD = [0, 0, 0, 0]
# JavaScript keyCodes the snippet classes as 1 (deletions), 3 (enter/tab)
# or 2 (modifiers, navigation, function keys and the like).
DELETE = {8, 46}
ENTER_TAB = {9, 13}
OTHER = {16, 17, 18, 19, 20, 27, 33, 34, 35, 36, 37, 38, 39, 40, 44, 45, 91, 92, 93, 144, 145, 224} | set(
    range(112, 136)
)


def key_class(code):
    if code in DELETE:
        return 1
    if code in ENTER_TAB:
        return 3
    if code in OTHER:
        return 2
    return 0


def main(path):
    out = sys.stdout
    out.write("person,t,event,x,y\n")
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if not name.endswith(".json"):
                continue
            person = "aalto-" + os.path.splitext(os.path.basename(name))[0]
            sentences = json.loads(z.read(name))
            t = 0.0
            for sentence in sentences:
                presses = [k for k in sentence if list(k) != PAD]
                end = t
                for i, (code, hold, pp, _rp) in enumerate(presses):
                    if i > 0:
                        t += pp
                    if hold < 0:
                        continue
                    out.write(f"{person},{t:.0f},key,{hold:.0f},{key_class(int(code))}\n")
                    end = max(end, t + hold)
                t = end + SENTENCE_GAP_MS


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
