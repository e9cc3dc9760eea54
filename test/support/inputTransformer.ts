/**
 * EventBridge's input transformer, as its User Guide describes it ("Amazon EventBridge input transformation"):
 * each variable takes the value at its JSON path (dot notation; `[*]` for every element of a list: the variable
 * is then the list of their values; `[n]` for one element, array indices being among the syntax the guide lists); values are inserted unescaped; a template of quoted lines renders as
 * multi-line text; in a template that is a JSON object, a variable outside quotes is inserted as a JSON value (a
 * string with its quotes, a list or an object as it is: the "Simple JSON" and "JSON with strings and variables"
 * examples), and EventBridge passes the JSON "minified". A path the event lacks "isn't created and won't appear in
 * the output"; how a template then renders that variable's placeholder is not documented, nor how a null value
 * renders: rendering either is refused, so a template that could meet one fails its test instead of passing on a
 * guess. So is a list or an object inserted inside quotes, whose quotes would end the string.
 */

/**
 * The value at a `$.a.b[*].c` or `$.a.b[0]` path, or undefined when the event lacks it (or holds null there, or no
 * element has it).
 */
export function valueAt(event: unknown, path: string): unknown {
    if (!/^\$(\.[^.[\]]+(\[(\*|\d+)\])?)+$/.test(path)) {
        throw new Error(`not a dot-notation JSON path: ${path}`);
    }
    const found = at([event], path.slice(2).split("."), false);
    return found === undefined || found === null ? undefined : found;
}

function at(values: unknown[], parts: string[], many: boolean): unknown {
    if (parts.length === 0) {
        const present = values.filter((v) => v !== undefined && v !== null);
        return many ? (present.length > 0 ? present : undefined) : values[0];
    }
    const [, name, star, index] = /^([^[]+)(?:(\[\*\])|\[(\d+)\])?$/.exec(parts[0]) ?? [];
    if (name === undefined) {
        throw new Error(`unsupported path segment ${parts[0]}`);
    }
    const next = values.flatMap((value) => {
        if (typeof value !== "object" || value === null || !(name in value)) {
            return [];
        }
        const child = (value as Record<string, unknown>)[name];
        if (star) {
            return Array.isArray(child) ? child : [];
        }
        if (index !== undefined) {
            return Array.isArray(child) && Number(index) < child.length ? [child[Number(index)]] : [];
        }
        return [child];
    });
    return at(next, parts.slice(1), many || star !== undefined);
}

/** The message EventBridge hands the target: placeholders filled, then every quoted line decoded (or the JSON minified). */
export function render(inputPaths: Readonly<Record<string, string>>, template: string, event: unknown): string {
    const value = (placeholder: string, name: string) => {
        const found = valueAt(event, inputPaths[name]);
        if (found === undefined) {
            throw new Error(`${placeholder} (${inputPaths[name]}) has no value in this event: EventBridge creates no variable for it`);
        }
        return found;
    };
    if (template.startsWith("{")) {
        return JSON.stringify(JSON.parse(fillJson(inputPaths, template, value)));
    }
    const filled = template.replace(/<([A-Za-z0-9.-]+)>/g, (placeholder, name: string) =>
        name in inputPaths ? inText(placeholder, value(placeholder, name)) : placeholder,
    );
    return filled
        .split("\n")
        .map((line) => JSON.parse(line) as string)
        .join("\n");
}

/** A value inserted inside quotes, unescaped: only what keeps the string a string. */
function inText(placeholder: string, value: unknown): string {
    if (typeof value === "object") {
        throw new Error(`${placeholder} is a list or an object: inside quotes its own quotes would end the string`);
    }
    return String(value);
}

/** A JSON template filled: placeholders outside strings as JSON values, inside strings as text. */
function fillJson(inputPaths: Readonly<Record<string, string>>, template: string, value: (placeholder: string, name: string) => unknown): string {
    let out = "";
    let inString = false;
    for (let i = 0; i < template.length; i++) {
        const c = template[i];
        const placeholder = /^<([A-Za-z0-9.-]+)>/.exec(template.slice(i));
        if (placeholder && placeholder[1] in inputPaths) {
            const found = value(placeholder[0], placeholder[1]);
            out += inString ? inText(placeholder[0], found) : JSON.stringify(found);
            i += placeholder[0].length - 1;
            continue;
        }
        if (inString && c === "\\") {
            out += c + template[++i];
            continue;
        }
        if (c === '"') {
            inString = !inString;
        }
        out += c;
    }
    return out;
}

/** Limits EventBridge enforces on an input transformer (InputTransformer API reference). */
export function transformerProblems(inputPaths: Readonly<Record<string, string>>, template: string): string[] {
    const problems: string[] = [];
    const keys = Object.keys(inputPaths);
    if (keys.length > 100) {
        problems.push(`${keys.length} input paths (at most 100)`);
    }
    for (const key of keys) {
        if (!/^[A-Za-z0-9]+$/.test(key) || /^aws/i.test(key)) {
            problems.push(`input path key ${key}: alphanumeric, not starting with AWS`);
        }
    }
    if (template.length > 8192) {
        problems.push(`template of ${template.length} characters (at most 8192)`);
    }
    for (const [, name] of template.matchAll(/<([A-Za-z0-9.-]+)>/g)) {
        if (!(name in inputPaths) && !name.startsWith("aws.events.")) {
            problems.push(`placeholder <${name}> has no input path`);
        }
    }
    return problems;
}
