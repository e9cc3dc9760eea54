/**
 * npm run check -- --stack <dev|prod> [--config FILE] [--json]
 * npm run check -- --resources FILE --config FILE [--json]
 *
 * Runs the policy pack, as `pulumi preview --policy-pack` runs it, over the offline synth of a stack (or a resources
 * file in the `npm run synth` format), with no cloud credentials. Exit 0: no mandatory violation; 1: at least one;
 * 2: bad arguments, config or input.
 */
import * as fs from "fs";
import * as path from "path";
import { runSynth } from "../../test/support/synthRun";
import { check } from "./check";
import { ConfigError } from "./config";
import { PACK_DIR, PolicyPackProcess } from "./pack";
import { countByLevel, formatTable, ResourceRecord } from "./report";

const USAGE =
    "usage: npm run check -- --stack <name> [--config FILE] [--json]\n" +
    "       npm run check -- --resources FILE --config FILE [--json]";

class UsageError extends Error {}

interface Args {
    stack?: string;
    resources?: string;
    config?: string;
    json: boolean;
}

function parseArgs(argv: string[]): Args {
    const args: Args = { json: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--json") {
            args.json = true;
            continue;
        }
        const key = { "--stack": "stack", "-s": "stack", "--resources": "resources", "--config": "config" }[flag] as
            | "stack"
            | "resources"
            | "config"
            | undefined;
        const value = argv[i + 1];
        if (!key || value === undefined || value.startsWith("-")) {
            throw new UsageError(`${key ? `${flag} needs a value` : `unknown argument ${JSON.stringify(flag)}`}\n${USAGE}`);
        }
        args[key] = value;
        i++;
    }
    if (!args.stack === !args.resources) {
        throw new UsageError(`give either --stack or --resources\n${USAGE}`);
    }
    if (args.resources && !args.config) {
        throw new UsageError(`--resources needs --config\n${USAGE}`);
    }
    return args;
}

/** The resources to check: the stack synthesized in a child process, or the file as given. */
async function loadResources(args: Args): Promise<ResourceRecord[]> {
    if (args.stack) {
        const run = await runSynth(["--stack", args.stack]);
        if (run.code !== 0) {
            throw new UsageError(`synth of stack ${args.stack} failed:\n${run.stderr.trim()}`);
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

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const configFile = args.config ?? path.join(PACK_DIR, "config", `${args.stack}.json`);
    // The pack loads (and type-checks) while the stack synthesizes.
    const [pack, records] = await Promise.all([PolicyPackProcess.start(), loadResources(args)]);
    try {
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

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        const expected = e instanceof UsageError || e instanceof ConfigError;
        console.error(`error: ${expected ? (e as Error).message : (e as Error)?.stack ?? String(e)}`);
        process.exit(expected ? 2 : 3);
    },
);
