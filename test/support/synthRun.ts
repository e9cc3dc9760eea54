/** Runs `npm run synth` the way a user does, in a child process (the SDK holds one program per process). */
import { SynthResult } from "../../synth/synth";
import { runSynth, SynthRun } from "../../synth/run";

export { runSynth, SynthRun };

/** The command README documents for JSON on stdout: npm without its banner (`-s`). */
export const DOCUMENTED_SYNTH = ["npm", "run", "-s", "synth", "--"];

const runs = new Map<string, Promise<SynthRun>>();

/**
 * The documented command with its output into a shell pipe, as a user redirects or pipes it (`| jq`, `> file`): a
 * pipe's writes complete after `write` returns, so output cut at exit would show here (it did: 64 KiB of JSON).
 */
const DOCUMENTED_SYNTH_INTO_A_PIPE = ["bash", "-o", "pipefail", "-c", `${DOCUMENTED_SYNTH.join(" ")} "$@" | cat`, "synth"];

/** `npm run -s synth -- --stack <stack> | cat`, run once per test run and shared by every test that reads it. */
export function synthRunOf(stack: string): Promise<SynthRun> {
    let run = runs.get(stack);
    if (!run) {
        run = runSynth(["--stack", stack], DOCUMENTED_SYNTH_INTO_A_PIPE);
        runs.set(stack, run);
    }
    return run;
}

/** The synthesized stack, once per test run. */
export async function synthStack(stack: string): Promise<SynthResult> {
    const run = await synthRunOf(stack);
    if (run.code !== 0) {
        throw new Error(`synth of ${stack} failed:\n${run.stderr}`);
    }
    return JSON.parse(run.stdout) as SynthResult;
}
