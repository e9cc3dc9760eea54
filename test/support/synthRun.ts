/** Runs `npm run synth` the way a user does, in a child process (the SDK holds one program per process). */
import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_DIR, SynthResult } from "../../synth/synth";

export interface SynthRun {
    code: number;
    stdout: string;
    stderr: string;
    /** Wall-clock time of the whole child process, in milliseconds. */
    elapsedMs: number;
}

export function runSynth(args: string[]): Promise<SynthRun> {
    const started = Date.now();
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", path.join("synth", "cli.ts"), ...args],
            { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({
                    code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
                    stdout,
                    stderr,
                    elapsedMs: Date.now() - started,
                }),
        );
    });
}

const runs = new Map<string, Promise<SynthRun>>();

/** `npm run synth -- --stack <stack>`, run once per test run and shared by every test that reads it. */
export function synthRunOf(stack: string): Promise<SynthRun> {
    let run = runs.get(stack);
    if (!run) {
        run = runSynth(["--stack", stack]);
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
