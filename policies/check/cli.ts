/**
 * npm run check -- --stack <dev|prod> [--policy-config FILE] [--config key=value ...] [--json]
 * npm run check -- --resources FILE --policy-config FILE [--json]
 *
 * Runs the policy pack, as `pulumi preview --policy-pack` runs it, over the offline synth of a stack (or a resources
 * file in the `npm run synth` format), with no cloud credentials. Exit 0: no mandatory violation; 1: at least one;
 * 2: bad arguments, config or input; 3: the check itself failed (the pack did not load, ...).
 */
import { parseArgs, UsageError } from "./args";
import { ConfigError } from "./config";

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
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
        const expected = e instanceof UsageError || e instanceof ConfigError;
        console.error(`error: ${expected ? (e as Error).message : (e as Error)?.stack ?? String(e)}`);
        process.exit(expected ? 2 : 3);
    },
);
