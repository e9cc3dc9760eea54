/** The arguments of `npm run check`. */
export const USAGE =
    "usage: npm run check -- --stack <name> [--policy-config FILE] [--config <key>=<value> ...] [--json]\n" +
    "       npm run check -- --resources FILE --policy-config FILE [--json]";

export class UsageError extends Error {}

export interface CheckArgs {
    stack?: string;
    resources?: string;
    /** The policy config file, as `pulumi preview --policy-pack-config` takes it (default: the stack's own). */
    policyConfig?: string;
    /** `key=value` settings over the stack file, passed to the synth as `npm run synth -- --config` takes them. */
    config: string[];
    json: boolean;
    /** What the user should know about how they called it (an old spelling). */
    notices: string[];
}

export function parseArgs(argv: string[]): CheckArgs {
    const args: CheckArgs = { config: [], json: false, notices: [] };
    const once = (flag: string, key: "stack" | "resources" | "policyConfig", value: string) => {
        if (args[key] !== undefined) {
            throw new UsageError(`${flag} given twice\n${USAGE}`);
        }
        args[key] = value;
    };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        if (flag === "--json") {
            args.json = true;
            continue;
        }
        if (!["--stack", "-s", "--resources", "--policy-config", "--config", "-c"].includes(flag)) {
            throw new UsageError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
        }
        const value = argv[++i];
        if (value === undefined || value.startsWith("-")) {
            throw new UsageError(`${flag} needs a value\n${USAGE}`);
        }
        if (flag === "--stack" || flag === "-s") {
            once(flag, "stack", value);
        } else if (flag === "--resources") {
            once(flag, "resources", value);
        } else if (flag === "--policy-config") {
            once(flag, "policyConfig", value);
        } else if (value.indexOf("=") > 0) {
            args.config.push(value);
        } else {
            // The spelling before --config meant what it means for synth; a value without `=` cannot be a setting.
            once(flag, "policyConfig", value);
            args.notices.push(`--config ${value}: a policy config file is now --policy-config ${value} (--config takes key=value, as for synth)`);
        }
    }
    if (!args.stack === !args.resources) {
        throw new UsageError(`give either --stack or --resources\n${USAGE}`);
    }
    if (args.resources && !args.policyConfig) {
        throw new UsageError(`--resources needs --policy-config\n${USAGE}`);
    }
    if (args.resources && args.config.length > 0) {
        throw new UsageError(`--config ${args.config[0]} changes the stack synth makes; a --resources file is checked as it is\n${USAGE}`);
    }
    return args;
}
