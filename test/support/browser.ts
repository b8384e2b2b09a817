import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, Browser, Locator, Page } from 'playwright-core';
import { ROOT } from './env';

/** Debian's Chromium (scripts/browser.sh installs it when missing), driven by playwright-core. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('bash', [join(ROOT, 'scripts/browser.sh')], { encoding: 'utf8' }).trim();
  // playwright-core gives every launch a fresh temporary --user-data-dir of its own
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export const ARTIFACTS = join(ROOT, 'test/artifacts');

/** Saves a screenshot of the page as test/artifacts/<name>.png. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(500); // let transitions (tags, toasts, charts) settle
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
}

/**
 * The real <input>/<textarea> of a field marked with data-testid: Element Plus puts the attribute on
 * the <input> or on its wrapper, uni-app renders <uni-input><div><input>.
 */
export function field(page: Page, testId: string): Locator {
  const id = `[data-testid="${testId}"]`;
  return page.locator(`${id} input, ${id} textarea, input${id}, textarea${id}`).first();
}

export const fill = (page: Page, testId: string, value: string): Promise<void> => field(page, testId).fill(value);

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core on the current page (WCAG 2.1 A/AA rules); returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // evaluated over the DevTools protocol: the pages' CSP (script-src 'self') rightly refuses inline scripts
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    const g = globalThis as any;
    return g.axe.run(g.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
  });
  return (result.violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
}
