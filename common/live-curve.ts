// The live-row curve of a generated set: how many rows are still nonzero after layers 1, 5, 15 and L,
// computed from a per-row death-layer trace, and printed next to the real images' curve (`snig
// generate`'s summary), so that a generated set can be compared with the challenge's own images.

/** Rows still nonzero after each listed layer. */
export interface LiveCurve {
  layers: number[];
  live: number[];
  rows: number;
}

/** Rows alive after layers 1, 5, 15 and L (those within the network), from a per-row deathLayer trace. */
export function liveCurve(deathLayer: ArrayLike<number>, layers: number): LiveCurve {
  const at = [...new Set([1, 5, 15, layers].filter((l) => l <= layers))].sort((a, b) => a - b);
  const live = at.map((l) => {
    let count = 0;
    for (let r = 0; r < deathLayer.length; r++) {
      const d = deathLayer[r]!;
      if (d === 0 || d > l) count++;
    }
    return count;
  });
  return { layers: at, live, rows: deathLayer.length };
}

/** The curve as aligned text lines, generated rows next to the real images. */
export function formatCurves(curve: LiveCurve, real: LiveCurve): string {
  const percent = (live: number, rows: number): string => `${((100 * live) / rows).toFixed(2)}%`;
  const lines = [`live rows after layer   generated (${curve.rows} rows)   real images (${real.rows} rows)`];
  curve.layers.forEach((layer, k) => {
    const g = curve.live[k]!;
    const r = real.live[k]!;
    lines.push(
      `${String(layer).padStart(21)}   ${`${g} (${percent(g, curve.rows)})`.padEnd(26)}   ${r} (${percent(r, real.rows)})`,
    );
  });
  return lines.join('\n');
}
