import { CONFIG_NAMESPACE, ConfigKey, ConfigProblem, RawConfig } from "./config";

/** A project key as the stack file names it: `ecs-exec:<key>`. */
export const qualified = (key: ConfigKey) => `${CONFIG_NAMESPACE}:${key}`;

/**
 * Reads raw config one key at a time, as the types the program needs. A bad value is recorded, with what is
 * allowed, and read as undefined: the validation goes on, so that every problem of a stack file is reported at once.
 */
export class ConfigReader {
    readonly problems: ConfigProblem[] = [];

    constructor(readonly raw: RawConfig) {}

    /** A problem with any key, named in full. */
    problem(key: string, value: string | undefined, allowed: string): void {
        this.problems.push({ key, value, allowed });
    }

    /** A problem with a key of the project. */
    report(key: ConfigKey, value: string | undefined, allowed: string): void {
        this.problem(qualified(key), value, allowed);
    }

    text(key: ConfigKey): string | undefined {
        return this.raw[qualified(key)];
    }

    required(key: ConfigKey, allowed: string): string | undefined {
        const value = this.text(key);
        if (value === undefined || value === "") {
            this.report(key, value, `required: ${allowed}`);
            return undefined;
        }
        return value;
    }

    integer(key: ConfigKey, allowed: string, ok: (n: number) => boolean): number | undefined {
        const value = this.required(key, allowed);
        if (value === undefined) {
            return undefined;
        }
        const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || !ok(n)) {
            this.report(key, value, allowed);
            return undefined;
        }
        return n;
    }

    boolean(key: ConfigKey): boolean | undefined {
        const value = this.required(key, "true or false");
        if (value === undefined) {
            return undefined;
        }
        if (value !== "true" && value !== "false") {
            this.report(key, value, "true or false");
            return undefined;
        }
        return value === "true";
    }

    /** A JSON list of strings, each `ok`, none twice; unset is an empty list. */
    list(key: ConfigKey, itemAllowed: string, ok: (item: string) => boolean): string[] | undefined {
        const value = this.text(key);
        const allowed = `a list of ${itemAllowed}, without duplicates`;
        if (value === undefined || value === "") {
            return [];
        }
        let items: unknown;
        try {
            items = JSON.parse(value);
        } catch {
            items = undefined;
        }
        if (!Array.isArray(items) || !items.every((i): i is string => typeof i === "string")) {
            this.report(key, value, allowed);
            return undefined;
        }
        const bad = items.filter((i) => !ok(i));
        if (bad.length > 0 || new Set(items).size !== items.length) {
            this.report(key, value, bad.length > 0 ? `${allowed} (not valid: ${bad.join(", ")})` : allowed);
            return undefined;
        }
        return items;
    }
}
