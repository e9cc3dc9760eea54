/**
 * Mocha's root hooks (.mocharc.json requires this file). As mocha loads the test files, it starts the child processes
 * many suites wait for: one synth of each stack and the shared policy pack. They would otherwise start only when the
 * first suite that needs them runs, while the in-process suites before it could have used the other core.
 */
import { sharedPack, stopSharedPack } from "../policies/sharedPack";
import { synthRunOf } from "./synthRun";

void synthRunOf("dev");
void synthRunOf("prod");
// A pack that fails to start fails the suites that use it, with its message; nothing to report here.
sharedPack().catch(() => undefined);

export const mochaHooks = {
    afterAll: stopSharedPack,
};
