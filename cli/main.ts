#!/usr/bin/env node
// The `snig` entry point. For `snig run`, its first local worker's process starts before the command
// line's modules load (cli/early-worker.ts), so that the two node starts overlap; then the CLI.
import { startEarlyWorker } from './early-worker.js';

startEarlyWorker(process.argv.slice(2));
await import('./cli.js');
