/** The arguments of `npm run check`. */
export const USAGE =
    "usage: npm run check -- --stack <name> [--policy-config FILE] [--config <key>=<value> ...] [--json]\n" +
    "       npm run check -- --resources FILE --policy-config FILE [--json]";

export const HELP = `${USAGE}

Runs the policy pack over the offline synth of stack <name> (npm run synth), or over a resources file in its format,
as pulumi preview --policy-pack runs it, without credentials or the Pulumi CLI.

Options:
  -s, --stack <name>          the stack to synthesize and check
  --resources <file>          check this file (npm run synth's JSON) instead of a stack
  --policy-config <file>      the policy config, as --policy-pack-config takes it (default: policies/config/<name>.json)
  -c, --config <key>=<value>  a setting over the stack file, as npm run synth takes it
  --json                      the report as JSON
  -h, --help                  this help

Exit codes: 0 no mandatory violation; 1 a mandatory violation, or a stack whose config or program fails; 2 bad
arguments, an unreadable stack file, policy config or resources file; 3 the check itself failed (the pack did not load).`;

export class UsageError extends Error {}

/** The stack cannot be checked: its config or its program fails (npm run synth exits 1). */
export class FailingStackError extends Error {}

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
