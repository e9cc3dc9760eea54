/**
 * npm run -s synth -- --stack <dev|prod> [--out FILE] [--config key=value ...]
 *
 * Prints (or writes) what a stack would create, without AWS or the Pulumi CLI. A stack whose config or program fails
 * exits 1 with the message `pulumi preview` would show (every bad value at once, each with where it came from); bad
 * arguments, a stack without its file or a file that is not YAML exit 2. `-s`: npm prints its banner on stdout otherwise.
 */
import * as fs from "fs";
import { SynthError, SynthUsageError } from "./errors";
import { readStackConfig } from "./stackFiles";

const USAGE = "usage: npm run -s synth -- --stack <name> [--out FILE] [--config <key>=<value> ...]";

const HELP = `${USAGE}

What stack <name> would create, as JSON, from Pulumi.yaml and Pulumi.<name>.yaml, without AWS or the Pulumi CLI.

Options:
  -s, --stack <name>          the stack
  -o, --out <file>            write the JSON to FILE instead of stdout
  -c, --config <key>=<value>  a setting over the stack file, as pulumi preview --config takes it; a key without a
                              namespace is the project's (execMemory is ecs-exec:execMemory)
  -h, --help                  this help

Exit codes: 0 done; 1 the stack's config or program fails; 2 bad arguments, no such stack, or a stack file that is
not YAML.`;

function parseArgs(argv: string[]): { stack: string; out?: string; overrides: Record<string, string> } {
    let stack: string | undefined;
    let out: string | undefined;
    const overrides: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (!["--stack", "-s", "--out", "-o", "--config", "-c"].includes(flag)) {
            throw new SynthUsageError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
        }
        const value = argv[++i];
        if (value === undefined || value.startsWith("-")) {
            throw new SynthUsageError(`${flag} needs a value\n${USAGE}`);
        }
        if (flag === "--stack" || flag === "-s") {
            stack = value;
        } else if (flag === "--out" || flag === "-o") {
            out = value;
        } else {
            const eq = value.indexOf("=");
            if (eq <= 0) {
                throw new SynthUsageError(`--config takes <key>=<value>, got ${JSON.stringify(value)}\n${USAGE}`);
            }
            overrides[value.slice(0, eq)] = value.slice(eq + 1);
        }
    }
    if (!stack) {
        throw new SynthUsageError(`--stack is required\n${USAGE}`);
    }
    return { stack, out, overrides };
}

/**
 * Whether npm has printed its script banner on our stdout: npm run without -s. In npm 11, @npmcli/run-script prints
 * it as standard output, and npm's display (lib/utils/display.js) drops it at loglevel silent and sends it to stderr
 * with --json; npm passes both settings to the script's environment.
 */
function npmBannerOnStdout(env: NodeJS.ProcessEnv): boolean {
    return env.npm_lifecycle_event === "synth" && env.npm_config_loglevel !== "silent" && env.npm_config_json !== "true";
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(`${HELP}\n`);
        return;
    }
    const args = parseArgs(argv);
    if (!args.out && !process.stdout.isTTY && npmBannerOnStdout(process.env)) {
        // What reads this stdout expects JSON, and would get npm's banner first.
        throw new SynthUsageError(
            "npm printed its banner on stdout, so the output would not be JSON: run npm run -s synth -- ..., or pass --out FILE",
        );
    }
    // A missing stack file or one that is not YAML is answered here, as --help and bad arguments are: without
    // loading the SDK, seconds of start-up.
    readStackConfig(args.stack);
    // A bad value, too, before the program's mocks and the rest of the SDK load.
    const { checkStackConfig } = await import("./stackConfig");
    checkStackConfig(args.stack, args.overrides);
    const { synthesize } = await import("./synth");
    const result = await synthesize({ stack: args.stack, overrides: args.overrides });
    const json = JSON.stringify(result, null, 2) + "\n";
    if (args.out) {
        fs.writeFileSync(args.out, json);
        console.error(`${result.resources.length} resources of stack ${result.stack} written to ${args.out}`);
    } else {
        // Into a pipe the write completes later: exiting before it would cut the JSON at the pipe's buffer (64 KiB).
        await new Promise<void>((resolve, reject) => process.stdout.write(json, (e) => (e ? reject(e) : resolve())));
    }
}

/** The error to report: the program's own, for a program that failed. */
async function causeOf(e: unknown): Promise<unknown> {
    if (e instanceof SynthError) {
        return e;
    }
    const { ProgramFailure } = await import("./synth");
    return e instanceof ProgramFailure ? e.cause : e;
}

/** Expected failures (bad arguments, bad config, a program's RunError or ResourceError), as `pulumi preview` sees them. */
async function isExpected(cause: unknown): Promise<boolean> {
    if (cause instanceof SynthError) {
        return true;
    }
    const pulumi = await import("@pulumi/pulumi");
    return pulumi.RunError.isInstance(cause) || pulumi.ResourceError.isInstance(cause);
}

main().then(
    () => process.exit(0),
    async (e: unknown) => {
        // Expected failures print only their message, as `pulumi preview` does.
        const cause = await causeOf(e);
        const expected = await isExpected(cause);
        console.error(`error: ${expected ? (cause as Error).message : (cause as Error)?.stack ?? String(cause)}`);
        process.exit(cause instanceof SynthUsageError ? 2 : 1);
    },
);
