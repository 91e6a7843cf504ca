/**
 * chooseFile's Kyso side: the tray app's prompter opens the OS file picker titled with the site that asks, in
 * its turn, and hands the site the file's name (never its folder) and content; the reading refuses a file
 * larger than allowed before reading it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ElectronPrompter } from '../../src/app/electron-prompter.js';
import { PinCache } from '../../src/app/pin-cache.js';
import { PromptQueue } from '../../src/app/prompt-queue.js';
import type { AppSettings } from '../../src/app/settings.js';
import type { DialogOpener } from '../../src/app/dialog-host.js';
import { readChosenFile } from '../../src/agent/prompters/chosen-file.js';

const ORIGIN = 'https://dichvucong.example.gov.vn';
let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

function fileIn(name: string, size: number): string {
  dir ??= mkdtempSync(path.join(os.tmpdir(), 'kyso-choose-'));
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.alloc(size, 7));
  return file;
}

function prompter(pickFile?: (title: string) => Promise<string | null>): ElectronPrompter {
  return new ElectronPrompter({
    dialogs: {} as DialogOpener, queue: new PromptQueue(), pinCache: new PinCache(),
    settings: () => ({ language: 'vi' }) as AppSettings,
    ...(pickFile ? { pickFile } : {}),
  });
}

describe('chooseFile in the tray app', () => {
  it('the picker names the site; the site gets the name and bytes only; closing it is USER_CANCELLED', async () => {
    const file = fileIn('hồ sơ.pdf', 10);
    const titles: string[] = [];
    const chosen = await prompter(async (t) => { titles.push(t); return file; }).chooseFile({ origin: ORIGIN, maxBytes: 100 });
    expect(titles).toEqual([`Kyso: ${ORIGIN} xin một tệp`]);
    expect(chosen.name).toBe('hồ sơ.pdf');
    expect(chosen.bytes).toEqual(new Uint8Array(10).fill(7));
    await expect(prompter(async () => null).chooseFile({ origin: ORIGIN, maxBytes: 100 })).rejects.toMatchObject({ code: 'USER_CANCELLED' });
    await expect(prompter().chooseFile({ origin: ORIGIN, maxBytes: 100 })).rejects.toMatchObject({ code: 'USER_CANCELLED' });
  });

  it('a file larger than allowed is refused before it is read; a missing one is FILE_NOT_FOUND', async () => {
    const file = fileIn('lớn.pdf', 100);
    expect((await readChosenFile(file, { origin: ORIGIN, maxBytes: 100 })).bytes.length).toBe(100);
    await expect(readChosenFile(file, { origin: ORIGIN, maxBytes: 99 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(readChosenFile(path.join(path.dirname(file), 'none.pdf'), { origin: ORIGIN, maxBytes: 99 })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
