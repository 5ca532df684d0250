/**
 * The live dashboard in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): submit an image through the page and see it finish, see a SIGKILLed worker
 * go dead, retry a dead letter. With UPDATE_SCREENSHOTS=1 the screenshots go to docs/ (the
 * README shows them); otherwise to a temp folder.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { damageJpegScan } from '@workbook/session01';
import { fixture, type RedisServerHandle, testRedis, uniqueName } from '@workbook/tools/testkit';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiKeys, type RunningSystem, startSystem } from '../src/index.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = 'browser-admin-key-0123456789';
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../docs', import.meta.url))
  : mkdtempSync(path.join(os.tmpdir(), 'imgq-shots-'));

let redis: RedisServerHandle;
let storage: string;
let profile: string;
let system: RunningSystem;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`sudo apt-get install -y chromium\` (or run .ci/chromium-setup.sh), or set CHROMIUM_PATH`,
    );
  }
  redis = await testRedis();
  storage = mkdtempSync(path.join(os.tmpdir(), 'imgq-browser-'));
  profile = mkdtempSync(path.join(os.tmpdir(), 'imgq-chromium-'));
  system = await startSystem({
    redisUrl: redis.url,
    queue: uniqueName('browser'),
    storageDir: storage,
    apiKeys: parseApiKeys(`ops:${ADMIN}:admin`),
    workers: 1,
    leaseMs: 1_500,
  });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-dev-shm-usage'],
    viewport: { width: 1280, height: 1000 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${system.url}/#key=${ADMIN}`);
}, 90_000);

afterAll(async () => {
  await context?.close();
  await system?.stop();
  await redis?.stop();
  for (const dir of [storage, profile, process.env.UPDATE_SCREENSHOTS ? '' : SHOTS]) {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('the live dashboard in Chromium', () => {
  it('connects with the key of the link, shows the live stream and the worker', async () => {
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor({ timeout: 15_000 });
    await page.locator('[data-worker][data-alive="true"]').first().waitFor({ timeout: 20_000 });
    expect(page.url(), '🚨 the key is removed from the address bar').not.toContain('key=');
    expect(
      await page.getByTestId('filter-select').locator('option').count(),
      '🚨 the pipeline builder lists the filters of /v1/filters',
    ).toBeGreaterThan(10);
  });

  it('submits an image through the page and sees it finish with its after thumbnail', async () => {
    await page.getByTestId('files').setInputFiles(fixture('photos/chelsea.png'));
    await page.getByTestId('filter-select').selectOption('sepia');
    await page.getByTestId('add-step').click();
    await expect.poll(() => page.getByTestId('spec').textContent()).toContain('sepia');
    await page.getByTestId('submit').click();
    await page
      .getByTestId('submit-status')
      .filter({ hasText: 'Accepted' })
      .waitFor({ timeout: 10_000 });
    const card = page
      .locator('[data-job][data-state="completed"]')
      .filter({ hasText: 'chelsea.png' });
    await card.waitFor({ timeout: 30_000 });
    await expect
      .poll(
        () =>
          card
            .locator('img[data-role="after"]')
            .evaluate((img) => (img as { naturalWidth: number }).naturalWidth),
        { timeout: 10_000 },
      )
      .toBe(320);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
  });

  it('shows a SIGKILLed worker go dead', async () => {
    const victim = system.killWorker();
    expect(victim, '🚨 a ready worker to kill').not.toBeNull();
    await page
      .locator(`[data-worker="${victim!.id}"][data-alive="false"]`)
      .waitFor({ timeout: 20_000 });
    await page
      .getByTestId('log')
      .filter({ hasText: `worker ${victim!.id} died` })
      .waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, 'worker-dead.png'), fullPage: true });
  });

  it('retries a dead letter from the page', async () => {
    const damaged = damageJpegScan(readFileSync(fixture('photos/rocket.jpg')));
    await page
      .getByTestId('files')
      .setInputFiles({ name: 'damaged.jpg', mimeType: 'image/jpeg', buffer: damaged });
    await page.getByTestId('submit').click();
    const row = page.locator('[data-dead]').filter({ hasText: 'damaged.jpg' });
    await row.waitFor({ timeout: 40_000 });
    expect(await row.textContent(), '🚨 the DLQ shows the code').toContain('ERR_IMAGE_CORRUPT');
    await page.screenshot({ path: path.join(SHOTS, 'dead-letters.png'), fullPage: true });
    const before = (await system.api.context.inspector.counts()).failed;
    await row.locator('button[data-retry]').click();
    await page
      .getByTestId('dlq-status')
      .filter({ hasText: '1 retried' })
      .waitFor({ timeout: 10_000 });
    // Retried, it is processed again and fails again with the same code: dead-lettered twice.
    await expect
      .poll(async () => (await system.api.context.inspector.counts()).failed, { timeout: 40_000 })
      .toBe(before + 1);
    await row.waitFor({ timeout: 20_000 });
  });
});
