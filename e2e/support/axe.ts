/**
 * The accessibility audit of issue 15 (`@axe-core/playwright`): the serious and critical violations
 * on a screen as readable lines (what the tests assert is empty), and a one-line tally of every
 * violation by impact printed to the run's output, so the audit's full result is on record.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;

/** Audits `page` (or only `include`, a selector) as it is now; `screen` names it in the tally. */
export async function seriousViolationsOn(page: Page, screen: string, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const { violations } = await builder.analyze();
  const tally = IMPACTS.map((impact) => `${impact} ${violations.filter((v) => v.impact === impact).length}`).join(', ');
  const others = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.id} (${v.impact})`);
  console.log(`[axe] ${screen}: ${tally}${others.length ? ` — ${others.join(', ')}` : ''}`);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
