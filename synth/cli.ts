/**
 * npm run -s synth -- --stack <dev|prod> [--out FILE] [--config key=value ...]
 *
 * Prints (or writes) what a stack would create, without AWS or the Pulumi CLI. A bad stack config exits 1 with
 * the message `pulumi preview` would show. `-s`: npm prints its banner on stdout otherwise.
 */
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { ProgramFailure, synthesize, SynthError } from "./synth";

const usage = "usage: npm run -s synth -- --stack <name> [--out FILE] [--config <key>=<value> ...]";

function parseArgs(argv: string[]): { stack: string; out?: string; overrides: Record<string, string> } {
    let stack: string | undefined;
    let out: string | undefined;
    const overrides: Record<string, string> = {};
    for (let i = 0; i < argv.length; i++) {
        const value = argv[i + 1];
        switch (argv[i]) {
            case "--stack":
            case "-s":
                stack = value;
                i++;
                break;
            case "--out":
            case "-o":
                out = value;
                i++;
                break;
            case "--config":
            case "-c": {
                const eq = value?.indexOf("=") ?? -1;
                if (eq <= 0) {
                    throw new SynthError(`--config takes <key>=<value>, got ${JSON.stringify(value)}\n${usage}`);
                }
                overrides[value.slice(0, eq)] = value.slice(eq + 1);
                i++;
                break;
            }
            default:
                throw new SynthError(`unknown argument ${JSON.stringify(argv[i])}\n${usage}`);
        }
    }
    if (!stack) {
        throw new SynthError(usage);
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
    const args = parseArgs(process.argv.slice(2));
    if (!args.out && !process.stdout.isTTY && npmBannerOnStdout(process.env)) {
        // What reads this stdout expects JSON, and would get npm's banner first.
        throw new SynthError(
            "npm printed its banner on stdout, so the output would not be JSON: run npm run -s synth -- ..., or pass --out FILE",
        );
    }
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

main().then(
    () => process.exit(0),
    (e: unknown) => {
        // Expected failures (bad config, bad arguments) print only their message, as `pulumi preview` does.
        const cause = e instanceof ProgramFailure ? e.cause : e;
        const expected =
            cause instanceof SynthError || pulumi.RunError.isInstance(cause) || pulumi.ResourceError.isInstance(cause);
        console.error(`error: ${expected ? (cause as Error).message : (cause as Error)?.stack ?? String(cause)}`);
        process.exit(1);
    },
);
