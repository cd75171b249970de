// The benchmarks' numeric options (node's parseArgs gives strings): a value that is not a number
// stops the script with the option named, instead of running it with NaN.

/** `--name`'s value as a number; throws, naming the option, when it is not one. */
export function numberOption(name: string, value: string | boolean | undefined): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new Error(`--${name}: "${String(value)}" is not a number`);
  return number;
}
