import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createService } from '../../src/service.js';
import {
  DataDirInUseError,
  lockDataDir,
  type DataDirLock,
} from '../../src/stores/sqlite/data-dir-lock.js';
import { startTestService, type TestService } from '../support/test-service.js';

/**
 * Within one process. Across processes, and after a SIGKILL, the built service shows it:
 * test/e2e/data-dir-lock.test.ts.
 */
const dirs: string[] = [];
const locks: DataDirLock[] = [];
const services: TestService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  for (const lock of locks.splice(0)) lock.release();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backoffice-lock-'));
  dirs.push(dir);
  return dir;
}

function lock(dir: string): DataDirLock {
  const taken = lockDataDir(dir);
  locks.push(taken);
  return taken;
}

function refusal(dir: string): DataDirInUseError {
  try {
    lock(dir);
  } catch (error) {
    if (error instanceof DataDirInUseError) return error;
    throw error;
  }
  throw new Error(`${dir} was locked twice`);
}

describe('the DATA_DIR lock', () => {
  it('refuses a second holder, naming the directory and who holds it', () => {
    const dir = newDir();
    const first = lock(dir);
    expect(first.dataDir).toBe(dir);

    const refused = refusal(dir);
    expect(refused.dataDir).toBe(dir);
    expect(refused.holder).toMatchObject({ pid: process.pid, host: hostname() });
    expect(refused.message).toContain(`DATA_DIR ${dir} is in use`);
    expect(refused.message).toContain(`pid ${process.pid} on ${hostname()}`);
  });

  it('is the same lock whatever the path is spelled like', () => {
    const dir = newDir();
    lock(dir);
    expect(refusal(relative(process.cwd(), dir)).dataDir).toBe(dir);
    expect(refusal(`${dir}/./`).dataDir).toBe(dir);
  });

  it('stays held after refusing others', () => {
    const dir = newDir();
    lock(dir);
    // A refused attempt closes its own connection; that must not drop the holder's lock.
    for (let i = 0; i < 3; i += 1) refusal(dir);
  });

  it('is free again once released, and releasing twice is harmless', () => {
    const dir = newDir();
    const first = lock(dir);
    first.release();
    first.release();
    const second = lock(dir);
    expect(refusal(dir).holder?.pid).toBe(process.pid);
    second.release();
    lock(dir);
  });

  it('locks one directory only', () => {
    const a = newDir();
    const b = newDir();
    lock(a);
    expect(() => lock(b)).not.toThrow();
    expect(refusal(a).dataDir).toBe(a);
  });

  it('creates the directory it locks', () => {
    const dir = join(newDir(), 'not', 'yet');
    expect(lock(dir).dataDir).toBe(dir);
    refusal(dir);
  });
});

describe('a service on a DATA_DIR', () => {
  it('refuses a second service on it before that one opens anything; the first keeps serving', async () => {
    const dir = newDir();
    const first = startTestService({ DATA_DIR: dir });
    services.push(first);
    await first.service.started;
    const before = readdirSync(dir).sort();

    // Without API_KEYS a service that got as far as its stores would write a bootstrap key.
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    expect(() => createService(config, createLogger('silent'))).toThrow(DataDirInUseError);
    expect(existsSync(join(dir, 'bootstrap-admin-key.json'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(before);

    const opened = await first.request
      .post('/v1/ledger/accounts')
      .set(first.auth())
      .send({ code: '1000', name: 'Cash', type: 'asset', currency: 'EUR' });
    expect(opened.status).toBe(201);
  });

  it('gives the directory back when it closes, for the next service to open', async () => {
    const dir = newDir();
    const first = startTestService({ DATA_DIR: dir });
    await first.close();
    const second = startTestService({ DATA_DIR: dir });
    services.push(second);
    await second.service.started;
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
  });
});
