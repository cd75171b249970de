// The verdict of a run, one rule for `snig infer` and the cluster: the categories of the rows it
// computed against the truth rows in that range, exactly; a run PASSES only if they are equal.
//
// On a mismatch the differing rows can be certified: recomputed on the CPU in float64 (and float32,
// with traces) so a user can tell a bug from a numerical tie. Near the unstable fixed point of a
// challenge layer (y -> 2y + b), a row's live/dead state can depend on the last bits of its sums, so
// two correct float32 engines that sum in different orders can disagree. A differing row is
// "rounding-fragile" when float64 agrees with the truth and the row's state depends on rounding: its
// float32 and float64 traces die at different layers, or its smallest liveness margin is below
// FRAGILE_MARGIN. Any other differing row is "wrong".
import { Engine } from './engine.js';
import type { NativeInputs, NativeModel } from './native.js';

/** Liveness margin (|max_j (Y·W + b)_j|, float64) under which a row counts as rounding-fragile. */
export const FRAGILE_MARGIN = 1e-3;

export interface CategoryCheck {
  passed: boolean;
  missing: number[]; // in the truth, not in the result
  extra: number[]; // in the result, not in the truth
}

export interface RowCertificate {
  row: number;
  /** What the run reported: is the row a category? */
  reported: boolean;
  truth: boolean;
  float64: boolean;
  /** Layer the row died at in float32 / float64 (0: survived). */
  deathLayerF32: number;
  deathLayerF64: number;
  minMargin: number;
  fragile: boolean;
}

export interface Certificate {
  rows: RowCertificate[];
  fragile: number;
  wrong: number;
}

export interface Verdict extends CategoryCheck {
  certificate?: Certificate; // on a mismatch, when certified
}

/** Certifies a failed check (see `certify`); the caller supplies the model and inputs. */
export type Certifier = (check: CategoryCheck) => Promise<Certificate>;

/**
 * The verdict on `categories` computed for the 0-based rows [begin, end): truth rows (1-based)
 * outside that range are not this run's to check. A mismatch is certified when `certifier` is given.
 */
export async function judge(
  categories: readonly number[],
  truth: readonly number[],
  [begin, end]: readonly [number, number],
  certifier?: Certifier,
): Promise<Verdict> {
  const check = verifyCategories(categories, truth.filter((row) => row > begin && row <= end));
  return !check.passed && certifier ? { ...check, certificate: await certifier(check) } : check;
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

/** Recomputes every differing row of `check` (rows are 1-based within `inputs`). */
export async function certify(model: NativeModel, inputs: NativeInputs, check: CategoryCheck): Promise<Certificate> {
  const engine = await Engine.open(model, { engine: 'cpu' });
  try {
    const rows: RowCertificate[] = [];
    const differing = [...check.missing.map((row) => ({ row, truth: true })), ...check.extra.map((row) => ({ row, truth: false }))];
    differing.sort((a, b) => a.row - b.row);
    for (const { row, truth } of differing) {
      const range = [row - 1, row] as const;
      const f64 = await engine.infer(inputs, { range, precision: 'f64', trace: true });
      const f32 = await engine.infer(inputs, { range, precision: 'f32', trace: true });
      const float64 = f64.categories.length === 1;
      const deathLayerF32 = f32.deathLayer?.[0] ?? 0;
      const deathLayerF64 = f64.deathLayer?.[0] ?? 0;
      const minMargin = f64.minMargin?.[0] ?? Infinity;
      const sensitive = deathLayerF32 !== deathLayerF64 || minMargin < FRAGILE_MARGIN;
      rows.push({ row, reported: !truth, truth, float64, deathLayerF32, deathLayerF64, minMargin, fragile: float64 === truth && sensitive });
    }
    const fragile = rows.filter((r) => r.fragile).length;
    return { rows, fragile, wrong: rows.length - fragile };
  } finally {
    engine.close();
  }
}

/**
 * "PASSED", "FAILED: n rows differ (m missing, e extra)", or when certified
 * "FAILED: n rows differ — k rounding-fragile (float64 agrees with the truth), n−k wrong".
 */
export function describeVerdict(verdict: Verdict): string {
  if (verdict.passed) return 'PASSED';
  const differ = verdict.missing.length + verdict.extra.length;
  const { certificate } = verdict;
  if (!certificate) return `FAILED: ${differ} rows differ (${verdict.missing.length} missing, ${verdict.extra.length} extra)`;
  return `FAILED: ${differ} rows differ — ${certificate.fragile} rounding-fragile (float64 agrees with the truth), ${certificate.wrong} wrong`;
}

/** One certified row: what was reported, the truth, float64, where it died, and the label. */
export function describeRow(row: RowCertificate): string {
  const state = (live: boolean): string => (live ? 'nonzero' : 'zero');
  return (
    `row ${row.row}: reported ${state(row.reported)}, truth ${state(row.truth)}, float64 ${state(row.float64)}, ` +
    `died at layer ${row.deathLayerF32 || '-'} (f32) / ${row.deathLayerF64 || '-'} (f64), margin ${row.minMargin.toExponential(2)} — ` +
    (row.fragile ? 'rounding-fragile' : 'wrong')
  );
}
