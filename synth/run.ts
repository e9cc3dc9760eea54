/** Runs the offline synth in a child process (the Pulumi SDK holds one program per process), as `npm run synth` does. */
import { execFile } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "./stackFiles";

export interface SynthRun {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `command` (by default synth/cli.ts on this Node.js) with `args` in the project directory. */
export function runSynth(
    args: string[],
    command = [process.execPath, "-r", "ts-node/register/transpile-only", path.join("synth", "cli.ts")],
): Promise<SynthRun> {
    return new Promise((resolve) => {
        execFile(command[0], [...command.slice(1), ...args], { cwd: PROJECT_DIR, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
            resolve({
                code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
                stdout,
                stderr,
            }),
        );
    });
}
