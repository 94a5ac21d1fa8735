import { describe, expect, it } from 'vitest';
import { BUDGETS, overBudget } from './budgets.js';

const budgets = { firstVisitOnboarding: 1000, returningChat: 2000, returningCall: 3000 };

describe('overBudget', () => {
  it('passes paths at or under their budget', () => {
    expect(overBudget({ firstVisitOnboarding: 1000, returningChat: 1999, returningCall: 0 }, budgets)).toEqual([]);
  });

  it('names each path over its budget with the measured bytes', () => {
    expect(overBudget({ firstVisitOnboarding: 1001, returningChat: 10, returningCall: 4000 }, budgets)).toEqual([
      { path: 'firstVisitOnboarding', measured: 1001, budget: 1000 },
      { path: 'returningCall', measured: 4000, budget: 3000 },
    ]);
  });

  it('has a positive budget for every critical path', () => {
    expect(Object.keys(BUDGETS).sort()).toEqual(['firstVisitOnboarding', 'returningCall', 'returningChat']);
    for (const budget of Object.values(BUDGETS)) expect(budget).toBeGreaterThan(0);
  });
});
