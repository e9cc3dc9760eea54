/**
 * One policy pack process per test process: it loads (and type-checks) once, a few seconds; every test that talks to
 * it configures it first. Started when a suite first asks, stopped when the process exits.
 */
import * as path from "path";
import { PACK_DIR, PolicyPackProcess } from "../../policies/check/pack";

let started: Promise<PolicyPackProcess> | undefined;

export function sharedPack(): Promise<PolicyPackProcess> {
    if (!started) {
        started = PolicyPackProcess.start();
        started.then((pack) => process.once("exit", () => pack.stop()), () => undefined);
    }
    return started;
}

export const configFile = (env: "dev" | "prod") => path.join(PACK_DIR, "config", `${env}.json`);
