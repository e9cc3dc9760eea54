/** What the benchmarks share: a command's wall time, and the median of several. */
import { execFile } from "child_process";
import { PROJECT_DIR } from "../../synth/stackFiles";

/** Runs `command` in the project directory; resolves with its wall time in milliseconds, rejects with its stderr. */
export function timed(command: string[], env: NodeJS.ProcessEnv): Promise<number> {
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) =>
        execFile(command[0], command.slice(1), { cwd: PROJECT_DIR, env, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) =>
            error ? reject(new Error(`${command.join(" ")}: ${stderr || error.message}`)) : resolve(Number(process.hrtime.bigint() - started) / 1e6),
        ),
    );
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
