/**
 * Required into a process under test (`node -r ts-node/register/transpile-only -r test/support/recordSpawns.ts ...`,
 * with ECS_EXEC_RECORD_SPAWNS=FILE): every child process it starts through child_process (spawn, exec, execFile,
 * fork and their sync forms) is appended to FILE, one line each: the function and the command. FILE is created,
 * empty, when this loads: an empty file says the recorder ran and nothing was started. Without the variable it
 * does nothing.
 */
import childProcess = require("child_process");
import * as fs from "fs";
import { syncBuiltinESMExports } from "module";

const FUNCTIONS = ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"] as const;

const file = process.env.ECS_EXEC_RECORD_SPAWNS;
if (file) {
    fs.writeFileSync(file, "");
    const functions = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
    // exec calls execFile: a call made inside another is the same child, recorded once.
    let depth = 0;
    for (const name of FUNCTIONS) {
        const original = functions[name];
        functions[name] = function (this: unknown, ...args: unknown[]) {
            if (depth === 0) {
                const command = [args[0], ...(Array.isArray(args[1]) ? args[1] : [])].map(String).join(" ");
                fs.appendFileSync(file, `${name} ${command}\n`);
            }
            depth++;
            try {
                return original.apply(this, args);
            } finally {
                depth--;
            }
        };
    }
    // `import { spawn } from "node:child_process"` in an ES module sees the wrapped functions too.
    syncBuiltinESMExports();
}
