/** The arguments of `npm run check`. */
export const USAGE =
    "usage: npm run check -- --stack <name> [--config FILE] [--json]\n" +
    "       npm run check -- --resources FILE --config FILE [--json]";

export class UsageError extends Error {}

export interface CheckArgs {
    stack?: string;
    resources?: string;
    config?: string;
    json: boolean;
}

const VALUE_FLAGS: Record<string, "stack" | "resources" | "config"> = {
    "--stack": "stack",
    "-s": "stack",
    "--resources": "resources",
    "--config": "config",
};

export function parseArgs(argv: string[]): CheckArgs {
    const args: CheckArgs = { json: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--json") {
            args.json = true;
            continue;
        }
        const key = VALUE_FLAGS[flag];
        const value = argv[i + 1];
        if (!key) {
            throw new UsageError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
        }
        if (value === undefined || value.startsWith("-")) {
            throw new UsageError(`${flag} needs a value\n${USAGE}`);
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
