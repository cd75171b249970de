// A fleet as a child process of the harness (`fleet-child.ts <json FleetOptions>`, forked with IPC):
// it says when every peer was welcomed, takes any message from the parent as the stop (what a fleet of
// idle peers waits for), and sends its workers' stats before it exits.
import { runFleet, type FleetOptions, type FleetReport } from './fleet.js';

if (!process.send || !process.argv[2]) throw new Error('fleet-child.ts runs forked by the simulation harness, its options as one JSON argument');
const send = (report: FleetReport, then: () => void = () => undefined): boolean => process.send!(report, undefined, undefined, then);
const stop = new Promise<void>((resolve) => process.once('message', () => resolve()));
const stats = await runFleet(JSON.parse(process.argv[2]) as FleetOptions, () => send({ kind: 'welcomed' }), stop);
send({ kind: 'stats', stats }, () => process.exit(0));
