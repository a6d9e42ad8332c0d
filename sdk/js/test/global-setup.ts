// Starts the real huma binary once for all tests: HUMA_BIN (tests/sdk.rs
// passes env!("CARGO_BIN_EXE_huma")), else $CARGO_TARGET_DIR/debug/huma or
// ../../target/debug/huma, built with `cargo build --bin huma` if missing.
// It listens on 127.0.0.1:0 with a dev key and an admin token; the setup
// creates a test key and a publishable key and provides them to the tests.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';

export const DEV_KEY = 'huma_live_SdkTestKey0123456789abcdefghijkl';
export const ADMIN = 'sdk-admin-token-0123456789';

declare module 'vitest' {
  export interface ProvidedContext {
    humaUrl: string;
    liveKey: string;
    testKey: string;
    pubKey: string;
    adminToken: string;
    humaBin: string;
  }
}

function binary(): string {
  if (process.env.HUMA_BIN) return process.env.HUMA_BIN;
  const repo = resolve(__dirname, '../../..');
  const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
  const bin = join(target, 'debug/huma');
  if (!existsSync(bin)) execFileSync('cargo', ['build', '--bin', 'huma'], { cwd: repo, stdio: 'inherit' });
  return bin;
}

let child: ChildProcess | undefined;
let dir: string | undefined;

export async function setup(project: TestProject) {
  const bin = binary();
  dir = mkdtempSync(join(tmpdir(), 'usehuma-test-'));
  child = spawn(bin, ['serve'], {
    env: {
      PATH: process.env.PATH,
      HUMA_LISTEN: '127.0.0.1:0',
      HUMA_DATA_DIR: join(dir, 'data'),
      HUMA_DEV_KEY: DEV_KEY,
      HUMA_ADMIN_TOKEN: ADMIN,
      HUMA_SECRET: 'sdk-test-secret-0123456789abcdef',
      RUST_LOG: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const addr = await new Promise<string>((ok, fail) => {
    const t = setTimeout(() => fail(new Error('huma did not start listening within 20 s')), 20000);
    child!.on('exit', (c) => fail(new Error('huma exited with ' + c)));
    createInterface({ input: child!.stdout! }).on('line', (line) => {
      if (!line.includes('"listening"')) return;
      clearTimeout(t);
      ok(JSON.parse(line).fields.addr);
    });
  });
  const url = `http://${addr}`;
  const admin = async (body: object) => {
    const r = await fetch(`${url}/admin/v1/keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw new Error(`admin key create: ${r.status} ${await r.text()}`);
    return (await r.json()) as { id: string; key: string };
  };
  const live = await admin({ plan: 'pro', name: 'sdk-live' });
  const test = await admin({ plan: 'pro', name: 'sdk-test', kind: 'test', account: live.id });
  const pub = await admin({ plan: 'pro', name: 'sdk-pub', kind: 'publishable', account: live.id, origins: [url] });
  project.provide('humaUrl', url);
  project.provide('liveKey', live.key);
  project.provide('testKey', test.key);
  project.provide('pubKey', pub.key);
  project.provide('adminToken', ADMIN);
  project.provide('humaBin', bin);
}

export async function teardown() {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
