// The engine options, declared once: their types, valid values, defaults and help text. From this
// schema come the flags of `snig infer`, `snig run` and `snig worker` (cli/schema-flags.ts), the
// engine fields of a run config's worker group (sent to the workers in `welcome`), and the options
// `Engine.open` takes. A new option or kernel is added here and nowhere else in TypeScript. The
// C++ side receives them complete (NativeEngineOptions) and applies no defaults.
import { z } from 'zod';

/** Where inference runs ('auto': CUDA when a GPU is seen). */
export const ENGINES = ['auto', 'cpu', 'cuda'] as const;
/**
 * CUDA kernels ('auto': fast or general from the model's structure; 'fast': the exact reduction, for
 * RadiX-Nets; 'general': any network; 'snig' is the baseline).
 */
export const KERNELS = ['auto', 'snig', 'fast', 'general'] as const;
/**
 * Where the CUDA engine holds input rows for its upload ('pinned': placed once per input set, or per
 * shard in a cluster, in page-locked memory and sent by DMA; 'pageable': as read, packed into staging
 * on each call).
 */
const INPUT_MEMORIES = ['pinned', 'pageable'] as const;
/** CUDA weight placement ('auto': resident when the model fits a GPU, else partitioned, else streamed). */
const WEIGHT_MODES = ['auto', 'resident', 'streamed', 'partitioned'] as const;

export const gpuListSchema = z.array(z.number().int().nonnegative());

/** The settings every worker of a group shares (its GPUs are each worker's own). */
export const engineSettingsShape = {
  engine: z.enum(ENGINES).default('auto').describe('inference engine (auto: CUDA when a GPU is seen)'),
  threads: z.number().int().nonnegative().default(0).describe('CPU threads (0: all)'),
  kernel: z.enum(KERNELS).default('auto').describe('CUDA kernel (auto: the fastest correct one; snig is the baseline)'),
  weights: z
    .enum(WEIGHT_MODES)
    .default('auto')
    .describe('CUDA weights: resident per GPU, streamed from host memory, or layers partitioned across GPUs'),
  inputMemory: z
    .enum(INPUT_MEMORIES)
    .default('pinned')
    .describe('CUDA input rows: pinned (placed once in page-locked memory, sent by DMA) or pageable (packed on each call)'),
};

/** The settings alone, from any object that carries them (a worker group: its other fields are left out). */
export const engineSettingsSchema = z.object(engineSettingsShape);

export const engineOptionsShape = {
  ...engineSettingsShape,
  gpus: gpuListSchema.optional().describe('CUDA devices, e.g. 0,1 (default: all visible)'),
};

export const engineOptionsSchema = z.object(engineOptionsShape);

/** Complete engine options (every default applied). */
export type EngineOptions = z.output<typeof engineOptionsSchema>;
/** Engine options as a caller may write them (defaults may be left out). */
export type EngineOptionsInput = z.input<typeof engineOptionsSchema>;
export type EngineChoice = EngineOptions['engine'];
/** The engine an 'auto' choice resolves to. */
export type EngineKind = Exclude<EngineChoice, 'auto'>;
export type Kernel = EngineOptions['kernel'];
export type WeightMode = EngineOptions['weights'];
export type InputMemory = EngineOptions['inputMemory'];

/** `base` with every option that `overrides` sets (an option left undefined keeps its base value). */
export function withOverrides(base: EngineOptions, overrides: Partial<EngineOptions>): EngineOptions {
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) };
}
