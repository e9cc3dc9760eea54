/** What `npm run check` does once its arguments are right: load, check, print; the exit code it ends with. */
import * as fs from "fs";
import * as path from "path";
import { runSynth } from "../../synth/run";
import { SynthUsageError } from "../../synth/errors";
import { readStackConfig, stackFilePath } from "../../synth/stackFiles";
import { CheckArgs, FailingStackError, UsageError } from "./args";
import { check } from "./check";
import { PACK_DIR, PolicyPackProcess } from "./pack";
import { countByLevel, formatTable, ResourceRecord } from "./report";

/**
 * Refuses, before the pack and the synth start, a stack whose file is missing or is not YAML: the latter read as
 * synth reads it and told in synth's one line (`Pulumi.<stack>.yaml:<line>:<column>: not valid YAML: ...`), not under
 * a "synth of stack ... failed" line, and without loading the pack for a synth that cannot run.
 */
function requireReadableStackFile(stack: string): void {
    if (!fs.existsSync(stackFilePath(stack))) {
        throw new UsageError(`no stack ${stack}: ${path.relative(process.cwd(), stackFilePath(stack))} does not exist`);
    }
    try {
        readStackConfig(stack);
    } catch (e) {
        throw e instanceof SynthUsageError ? new UsageError(e.message) : e;
    }
}

/**
 * The policy config file; refused at once, before the pack and the synth start, when it is missing (a stack added
 * without its policy config), or when the stack's file is missing or not YAML.
 */
export function policyConfigFile(args: CheckArgs): string {
    if (args.stack) {
        requireReadableStackFile(args.stack);
    }
    const file = args.policyConfig ?? path.join(PACK_DIR, "config", `${args.stack}.json`);
    if (!fs.existsSync(file)) {
        throw new UsageError(
            args.policyConfig
                ? `no policy config ${file}`
                : `no policy config for stack ${args.stack}: create ${path.relative(process.cwd(), file)} (start from a copy of ` +
                      `policies/config/prod.json or dev.json), or pass --policy-config FILE`,
        );
    }
    return file;
}

/** The resources to check: the stack synthesized in a child process, or the file as given. */
async function loadResources(args: CheckArgs): Promise<ResourceRecord[]> {
    if (args.stack) {
        const run = await runSynth(["--stack", args.stack, ...args.config.flatMap((setting) => ["--config", setting])]);
        if (run.code !== 0) {
            // Synth's own exit codes: 2 for what it cannot read as given, 1 for a stack that fails.
            const message = `synth of stack ${args.stack} failed:\n${run.stderr.trim()}`;
            throw run.code === 2 ? new UsageError(message) : new FailingStackError(message);
        }
        return JSON.parse(run.stdout).resources;
    }
    try {
        const document = JSON.parse(fs.readFileSync(args.resources!, "utf8"));
        if (!Array.isArray(document.resources)) {
            throw new Error("no resources list");
        }
        return document.resources;
    } catch (e) {
        throw new UsageError(`cannot read resources file ${args.resources}: ${(e as Error).message}`);
    }
}

/** 0: no mandatory violation; 1: at least one. A stack synth refuses rejects with a FailingStackError (exit 1). */
export async function runCheck(args: CheckArgs): Promise<number> {
    const configFile = policyConfigFile(args);
    // The pack loads (and type-checks, seconds of CPU) while the stack synthesizes. A stack that fails stops it at
    // once, and is what the user is told; no pack process is left behind.
    const stopPack = new AbortController();
    const loading = loadResources(args);
    loading.catch(() => stopPack.abort());
    const [started, loaded] = await Promise.allSettled([PolicyPackProcess.start(PACK_DIR, stopPack.signal), loading]);
    if (loaded.status === "rejected") {
        if (started.status === "fulfilled") {
            started.value.stop();
        }
        throw loaded.reason;
    }
    if (started.status === "rejected") {
        throw started.reason;
    }
    const pack = started.value;
    try {
        const records = loaded.value;
        const { pack: info, resources, violations } = await check(pack, records, configFile);
        const mandatory = countByLevel(violations, "mandatory");
        if (args.json) {
            process.stdout.write(JSON.stringify({ resources, config: configFile, violations }, null, 2) + "\n");
        } else {
            if (violations.length > 0) {
                process.stdout.write(formatTable(violations) + "\n\n");
            }
            const where = args.stack ? `stack ${args.stack}` : args.resources;
            process.stdout.write(
                `${info.name}: ${resources} resources of ${where} checked with ${path.relative(process.cwd(), configFile)}: ` +
                    `${mandatory} mandatory, ${countByLevel(violations, "advisory")} advisory violation(s).\n`,
            );
        }
        return mandatory > 0 ? 1 : 0;
    } finally {
        pack.stop();
    }
}
