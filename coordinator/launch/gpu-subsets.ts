// Which GPUs each locally launched worker sees (CUDA_VISIBLE_DEVICES): an even split of the group's
// GPUs, `perWorker` each (default: as many as divide evenly, at least one, shared round-robin when
// there are fewer GPUs than workers).
export function gpuSubsets(gpus: readonly number[], workers: number, perWorker?: number): number[][] {
  if (gpus.length === 0) return Array.from({ length: workers }, () => []);
  const each = perWorker ?? Math.max(1, Math.floor(gpus.length / workers));
  return Array.from({ length: workers }, (_, w) =>
    Array.from({ length: each }, (_, k) => gpus[(w * each + k) % gpus.length]!),
  );
}
