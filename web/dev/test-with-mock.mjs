#!/usr/bin/env node
// Runs the browser tests against the mock server: starts it on a free port,
// sets CHOLLIMA_URL and the mock's credentials, runs `node --test`, stops it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mock = spawn(process.execPath, ['dev/mock-server.mjs', '--port', '0', '--tick-ms', process.env.MOCK_TICK_MS ?? '4000'], {
  cwd: web,
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('the mock server did not start within 30 s')), 30_000);
  let buf = '';
  mock.stdout.on('data', (d) => {
    buf += d;
    const m = /listening on (http:\/\/\S+)/.exec(buf);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  mock.on('exit', (code) => reject(new Error(`the mock server exited (${code})`)));
});
const env = {
  ...process.env,
  CHOLLIMA_URL: url,
  CHOLLIMA_ADMIN: 'admin',
  CHOLLIMA_ADMIN_PASSWORD: 'admin-pass',
  CHOLLIMA_REPORTER: 'reporter',
  CHOLLIMA_REPORTER_PASSWORD: 'reporter-pass',
  CHOLLIMA_REPORTER_UNIT: 'U00003',
  CHOLLIMA_VIEWER: 'viewer',
  CHOLLIMA_VIEWER_PASSWORD: 'viewer-pass',
  CHOLLIMA_PLANNER: 'planner',
  CHOLLIMA_PLANNER_PASSWORD: 'planner-pass',
};
// Arguments are test files or folders (default tests/, every scenario, the emulation
// pages' included); `--all` is accepted for compatibility and changes nothing.
const files = process.argv.slice(2).filter((a) => a !== '--all');
if (!files.length) files.push('tests/');
const t = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: web, env, stdio: 'inherit' });
const code = await new Promise((resolve) => t.on('exit', (c) => resolve(c ?? 1)));
mock.kill('SIGTERM');
process.exit(code);
