import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, ExecConfig, REGION_KEY } from "./config";
import { exampleValues } from "./examples";
import { parseExecConfig } from "./validate";

const configFailure = (e: ConfigError) =>
    new pulumi.RunError(`${e.message}\nFix Pulumi.${pulumi.getStack()}.yaml (or pulumi config set <key> <value>).`);

/** A config problem found past validation (what the config makes of another concern's values), told as validation's are. */
export function withConfigChecked<T>(derive: () => T): T {
    try {
        return derive();
    } catch (e) {
        throw e instanceof ConfigError ? configFailure(e) : e;
    }
}

/** Reads the stack's config through the Pulumi SDK and validates it; a bad stack stops here with only the message. */
export function loadExecConfig(): ExecConfig {
    const all = pulumi.runtime.allConfig();
    const raw: Record<string, string | undefined> = {};
    for (const [key, value] of Object.entries(all)) {
        if (key.startsWith(`${CONFIG_NAMESPACE}:`) || key === REGION_KEY) {
            raw[key] = value;
        }
    }
    try {
        const config = parseExecConfig(raw, pulumi.getStack());
        for (const example of exampleValues(raw)) {
            pulumi.log.warn(
                `${example.key} = ${JSON.stringify(example.value)} ${example.why}: an example that cannot work in your ` +
                    `account; set your own value in Pulumi.${pulumi.getStack()}.yaml before pulumi up (docs/operators.md: First deploy).`,
            );
        }
        return config;
    } catch (e) {
        throw e instanceof ConfigError ? configFailure(e) : e;
    }
}
