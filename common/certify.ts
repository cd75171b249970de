// Certified verification: when categories differ from the truth, recompute exactly those rows on
// the CPU in float64 (and float32, with traces) so a user can tell a bug from a numerical tie.
//
// Near the unstable fixed point of a challenge layer (y -> 2y + b), a row's live/dead state can
// depend on the last bits of its sums, so two correct float32 engines that sum in different orders
// can disagree. A differing row is "rounding-fragile" when float64 agrees with the truth and the
// row's state depends on rounding: its float32 and float64 traces die at different layers, or its
// smallest liveness margin is below FRAGILE_MARGIN. Any other differing row is "wrong".
import { Engine } from './engine.js';
import type { NativeInputs, NativeModel } from './native.js';
import type { CategoryCheck } from './verify.js';

/** Liveness margin (|max_j (Y·W + b)_j|, float64) under which a row counts as rounding-fragile. */
export const FRAGILE_MARGIN = 1e-3;

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

/** Recomputes every differing row of `verdict` (rows are 1-based within `inputs`). */
export async function certify(model: NativeModel, inputs: NativeInputs, verdict: CategoryCheck): Promise<Certificate> {
  const engine = await Engine.open(model, { engine: 'cpu' });
  try {
    const rows: RowCertificate[] = [];
    const differing = [...verdict.missing.map((row) => ({ row, truth: true })), ...verdict.extra.map((row) => ({ row, truth: false }))];
    differing.sort((a, b) => a.row - b.row);
    for (const { row, truth } of differing) {
      const range = [row - 1, row] as const;
      const f64 = await engine.infer(inputs, { rows: range, precision: 'f64', trace: true });
      const f32 = await engine.infer(inputs, { rows: range, precision: 'f32', trace: true });
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

/** "FAILED: n rows differ — k rounding-fragile (float64 agrees with the truth), n−k wrong". */
export function describeCertificate(certificate: Certificate): string {
  const n = certificate.rows.length;
  return `FAILED: ${n} rows differ — ${certificate.fragile} rounding-fragile (float64 agrees with the truth), ${certificate.wrong} wrong`;
}
