/** Runs `npm run synth` the way a user does, in a child process (the SDK holds one program per process). */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SynthResult } from "../../synth/synth";
import { runSynth, SynthRun } from "../../synth/run";

export { runSynth, SynthRun };

/** The command README documents for JSON on stdout: npm without its banner (`-s`). */
export const DOCUMENTED_SYNTH = ["npm", "run", "-s", "synth", "--"];

/**
 * The documented command with its output into a shell pipe, as a user redirects or pipes it (`| jq`, `> file`): a
 * pipe's writes complete after `write` returns, so output cut at exit would show here (it did: 64 KiB of JSON).
 */
const DOCUMENTED_SYNTH_INTO_A_PIPE = ["bash", "-o", "pipefail", "-c", `${DOCUMENTED_SYNTH.join(" ")} "$@" | cat`, "synth"];

/** Where the global setup leaves each stack's run for every test process (mocha's workers inherit it). */
const PUBLISHED_RUNS = "ECS_EXEC_TEST_SYNTH_RUNS";

const runs = new Map<string, Promise<SynthRun>>();

const publishedRunFile = (stack: string) => path.join(process.env[PUBLISHED_RUNS]!, `${stack}.json`);

/** `npm run -s synth -- --stack <stack> | cat`, run once per test run and shared by every test that reads it. */
export function synthRunOf(stack: string): Promise<SynthRun> {
    let run = runs.get(stack);
    if (!run) {
        const published = process.env[PUBLISHED_RUNS] !== undefined && fs.existsSync(publishedRunFile(stack));
        run = published
            ? Promise.resolve(JSON.parse(fs.readFileSync(publishedRunFile(stack), "utf8")) as SynthRun)
            : runSynth(["--stack", stack], DOCUMENTED_SYNTH_INTO_A_PIPE);
        runs.set(stack, run);
    }
    return run;
}

/** Runs each stack's synth at once, for this process and every process it starts after. */
export async function publishSynthRuns(stacks: string[]): Promise<void> {
    process.env[PUBLISHED_RUNS] = fs.mkdtempSync(path.join(os.tmpdir(), "ecs-exec-synth-runs-"));
    await Promise.all(
        stacks.map(async (stack) => fs.writeFileSync(publishedRunFile(stack), JSON.stringify(await synthRunOf(stack)))),
    );
}

export function removePublishedSynthRuns(): void {
    if (process.env[PUBLISHED_RUNS] !== undefined) {
        fs.rmSync(process.env[PUBLISHED_RUNS], { recursive: true, force: true });
    }
}

/** The synthesized stack, once per test run. */
export async function synthStack(stack: string): Promise<SynthResult> {
    const run = await synthRunOf(stack);
    if (run.code !== 0) {
        throw new Error(`synth of ${stack} failed:\n${run.stderr}`);
    }
    return JSON.parse(run.stdout) as SynthResult;
}
