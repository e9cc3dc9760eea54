/**
 * Mocha's root hook plugin (.mocharc.cjs requires it), for a serial or a parallel run alike. Its global setup runs
 * once, in mocha's own process, before any test file loads: it synthesizes both stacks, the child processes most
 * suites read, and leaves them where every worker finds them (test/support/synthRun.ts). Each process starts its own
 * policy pack when a suite first asks (test/policies/sharedPack.ts): the pack holds one configuration at a time.
 */
import { publishSynthRuns, removePublishedSynthRuns } from "./synthRun";

export async function mochaGlobalSetup(): Promise<void> {
    await publishSynthRuns(["dev", "prod"]);
}

export function mochaGlobalTeardown(): void {
    removePublishedSynthRuns();
}
