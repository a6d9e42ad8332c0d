"""nodriver (the successor of undetected-chromedriver: a DevTools-protocol
client with no WebDriver, that launches Chromium with its own stealth
settings) filling /demo, one JSONL line per session, as generate.mjs writes
them:

    HUMA_URL=http://127.0.0.1:18931 xvfb-run -a python3 nodriver_session.py \\
        corpus/chromium-nodriver.jsonl --style defaults [--sessions 10] [--headless]

Styles: `defaults` (nodriver's own `click()`, which calls `el.click()` in
the page, and `send_keys`, which types each character as a DevTools `char`
event: no keydown, no keyup), `native` (`mouse_click()`: a press and a
release at the element's centre through the protocol, with no move before
it), `tool_agent` (`defaults` with 1-4 s of model time before each call, as
an agent calling it as tools), `typed` (`tool_agent` typing one character
per `send_keys` call, 60-220 ms apart with a rare longer pause, as scripts
that want a person's rhythm do). Needs `pip install nodriver==0.50.99`
(requirements-nodriver.txt) and Debian's /usr/bin/chromium.
"""

import argparse
import asyncio
import json
import os
import random

import nodriver as uc

FLAGS = ['--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
PASSWORD = 'correct horse battery'


async def session(browser, base, framework, style, seed):
    r = random.Random(seed)
    paced = style in ('tool_agent', 'typed')
    think = (lambda: asyncio.sleep(r.uniform(1, 4))) if paced else (lambda: asyncio.sleep(0))
    tab = await browser.get(base + '/demo')
    await tab.sleep(2.0)  # the page and the snippet loaded
    for sel, text in [('#email', f'{framework}-{style}-{seed}@example.com'), ('#password', PASSWORD)]:
        el = await tab.select(sel)
        await think()
        if style == 'native':
            await el.mouse_click()
        else:
            await el.click()
        await think()
        if style == 'typed':
            for ch in text:
                await el.send_keys(ch)
                await asyncio.sleep(r.uniform(0.06, 0.22) + (r.uniform(0.2, 0.6) if r.random() < 0.08 else 0))
        else:
            await el.send_keys(text)
    session_data = json.loads(await tab.evaluate('JSON.stringify(Huma.debug().features)'))
    submit = await tab.select('#submit')
    await think()
    if style == 'native':
        await submit.mouse_click()
    else:
        await submit.click()
    for _ in range(150):
        text = await tab.evaluate("document.querySelector('#result').textContent.trim()")
        if text.startswith('{'):
            return session_data, json.loads(text)
        await tab.sleep(0.1)
    raise RuntimeError('no verdict in #result after 15 s')


async def main():
    p = argparse.ArgumentParser()
    p.add_argument('out')
    p.add_argument('--style', choices=['defaults', 'native', 'tool_agent', 'typed'], required=True)
    p.add_argument('--sessions', type=int, default=10)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--headless', action='store_true')
    a = p.parse_args()
    base = os.environ['HUMA_URL'].rstrip('/')
    framework = 'nodriver_headless' if a.headless else 'nodriver'
    # Running as root needs no_sandbox; the first connection can be slow.
    browser = await uc.start(browser_executable_path='/usr/bin/chromium', headless=a.headless, sandbox=False,
                             browser_args=FLAGS, browser_connection_timeout=1.0, browser_connection_max_tries=30)
    try:
        with open(a.out, 'a') as f:
            for i in range(a.sessions):
                seed = a.seed * 1000 + i
                sd, verdict = await session(browser, base, framework, a.style, seed)
                f.write(json.dumps({'framework': framework, 'style': a.style, 'seed': seed,
                                    'sessionData': sd, 'verdict': verdict}, separators=(',', ':')) + '\n')
                caught = verdict.get('human') is False or verdict.get('agent', {}).get('is_agent') is True
                print(framework, a.style, seed, 'caught' if caught else 'passed', verdict.get('confidence'), verdict.get('notes'), flush=True)
    finally:
        browser.stop()


if __name__ == '__main__':
    uc.loop().run_until_complete(main())
