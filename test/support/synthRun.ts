/** Runs `npm run synth` the way a user does, in a child process (the SDK holds one program per process). */
import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_DIR, SynthResult } from "../synth/synth";

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
            ["-r", "ts-node/register/transpile-only", path.join("test", "synth", "cli.ts"), ...args],
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

const cache = new Map<string, Promise<SynthResult>>();

/** The synthesized stack, once per test run. */
export function synthStack(stack: string): Promise<SynthResult> {
    let result = cache.get(stack);
    if (!result) {
        result = runSynth(["--stack", stack]).then((run) => {
            if (run.code !== 0) {
                throw new Error(`synth of ${stack} failed:\n${run.stderr}`);
            }
            return JSON.parse(run.stdout) as SynthResult;
        });
        cache.set(stack, result);
    }
    return result;
}
