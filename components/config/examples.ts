import { CONFIG_NAMESPACE, RawConfig } from "./config";

/**
 * Account ids AWS's documentation uses in examples (IAM User Guide and others): no one deploys into them, so a
 * value naming one was copied from an example.
 */
export const DOCUMENTATION_ACCOUNT_IDS = ["111122223333", "123456789012", "444455556666", "777788889999"] as const;

/** Domains reserved for examples (RFC 2606, RFC 6761): mail to them is never delivered. */
const EXAMPLE_DOMAIN = /(?:^|[@.])(?:example\.(?:com|net|org)|[\w-]+\.(?:example|test|invalid|localhost))$/i;

/** A config value copied from an example, which cannot work in anyone's account. */
export interface ExampleValue {
    key: string;
    value: string;
    why: string;
}

/**
 * The project's config values that are still examples: anything naming a documentation account, and e-mail
 * addresses or host names under a reserved example domain. Ids of existing VPCs and subnets cannot be told apart
 * from real ones here; `pulumi preview` fails on them when it looks them up.
 */
export function exampleValues(raw: RawConfig): ExampleValue[] {
    const found: ExampleValue[] = [];
    for (const [key, text] of Object.entries(raw)) {
        if (!key.startsWith(`${CONFIG_NAMESPACE}:`) || text === undefined) {
            continue;
        }
        for (const value of configStrings(text)) {
            const account = DOCUMENTATION_ACCOUNT_IDS.find((id) => new RegExp(`(?:^|\\D)${id}(?:\\D|$)`).test(value));
            if (account) {
                found.push({ key, value, why: `names AWS's documentation account ${account}` });
            } else if (EXAMPLE_DOMAIN.test(value)) {
                found.push({ key, value, why: "is under a domain reserved for examples (RFC 2606)" });
            }
        }
    }
    return found.sort((a, b) => a.key.localeCompare(b.key));
}

/** The strings of a raw value: itself, or the strings in a JSON list (its objects' values included). */
function configStrings(text: string): string[] {
    const strings = (value: unknown): string[] =>
        typeof value === "string" ? [value] : typeof value === "object" && value !== null ? Object.values(value).flatMap(strings) : [];
    if (text.startsWith("[")) {
        try {
            const items: unknown = JSON.parse(text);
            if (Array.isArray(items)) {
                return strings(items);
            }
        } catch {
            // Not a list after all: validation reports it.
        }
    }
    return [text];
}
