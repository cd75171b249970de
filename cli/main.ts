#!/usr/bin/env node
// The `snig` entry point. For a `snig run` that launches local workers, the first one's process
// starts before most of the command line's modules load (cli/early-worker.ts), so that the two node
// starts overlap; then the CLI.
import { startEarlyWorker } from './early-worker.js';

startEarlyWorker(process.argv.slice(2));
await import('./cli.js');
