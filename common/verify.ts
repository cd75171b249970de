// Comparing categories with the truth: a run PASSES only if they are equal exactly.
export interface CategoryCheck {
  passed: boolean;
  missing: number[]; // in the truth, not in the result
  extra: number[]; // in the result, not in the truth
}

/** Both lists are 1-based rows; order does not matter, duplicates count as extra. */
export function verifyCategories(result: readonly number[], truth: readonly number[]): CategoryCheck {
  const want = new Set(truth);
  const seen = new Set<number>();
  const extra: number[] = [];
  for (const row of result) {
    if (!want.has(row) || seen.has(row)) extra.push(row);
    seen.add(row);
  }
  const missing = truth.filter((row) => !seen.has(row));
  extra.sort((a, b) => a - b);
  return { passed: missing.length === 0 && extra.length === 0, missing, extra };
}

/** "PASSED" or "FAILED: n rows differ (m missing, e extra)". */
export function describeCheck(check: CategoryCheck): string {
  if (check.passed) return 'PASSED';
  const differ = check.missing.length + check.extra.length;
  return `FAILED: ${differ} rows differ (${check.missing.length} missing, ${check.extra.length} extra)`;
}
