/**
 * npm run check -- --stack <dev|prod> [--policy-config FILE] [--config key=value ...] [--json]
 * npm run check -- --resources FILE --policy-config FILE [--json]
 *
 * Runs the policy pack, as `pulumi preview --policy-pack` runs it, over the offline synth of a stack (or a resources
 * file in the `npm run synth` format), with no cloud credentials. Exit 0: no mandatory violation; 1: at least one,
 * or a stack whose config or program fails; 2: bad arguments, config or input; 3: the check itself failed (the pack
 * did not load, ...).
 */
import { FailingStackError, HELP, parseArgs, UsageError } from "./args";
import { ConfigError } from "./config";

async function main(): Promise<number> {
    const argv = process.argv.slice(2);
    if (argv.includes("--help") || argv.includes("-h")) {
        process.stdout.write(`${HELP}\n`);
        return 0;
    }
    const args = parseArgs(argv);
    for (const notice of args.notices) {
        console.error(`note: ${notice}`);
    }
    // Loaded only now: bad arguments are answered without loading the SDK.
    const { runCheck } = await import("./run");
    return runCheck(args);
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        const usage = e instanceof UsageError || e instanceof ConfigError;
        const expected = usage || e instanceof FailingStackError;
        console.error(`error: ${expected ? (e as Error).message : (e as Error)?.stack ?? String(e)}`);
        process.exit(usage ? 2 : expected ? 1 : 3);
    },
);
