/**
 * One policy pack process for the whole test run: it loads (and type-checks) once, a few seconds; every test that
 * talks to it configures it first. Started and stopped by test/support/warmUp.ts, mocha's root hooks.
 */
import * as path from "path";
import { PACK_DIR, PolicyPackProcess } from "../../policies/check/pack";

let started: Promise<PolicyPackProcess> | undefined;

export function sharedPack(): Promise<PolicyPackProcess> {
    started ??= PolicyPackProcess.start();
    return started;
}

/** Stops the pack, if it was started. */
export async function stopSharedPack(): Promise<void> {
    if (started) {
        (await started).stop();
    }
}

export const configFile = (env: "dev" | "prod") => path.join(PACK_DIR, "config", `${env}.json`);
