/**
 * EventBridge's input transformer, as its User Guide describes it ("Amazon EventBridge input transformation"):
 * each variable takes the value at its JSON path (dot notation, and array indices, which the guide lists among the
 * supported syntax); values are inserted unescaped; a template of quoted lines renders as multi-line text. A path the event lacks "isn't created and won't appear in the output"; how a
 * template then renders that variable's placeholder is not documented, nor how a null value renders: rendering
 * either is refused, so a template that could meet one fails its test instead of passing on a guess.
 */

/** The value at a `$.a.b.c` path (`$.a.b[0]`: an array's element), or undefined when the event lacks it (or holds null there). */
export function valueAt(event: unknown, path: string): unknown {
    if (!/^\$(\.[^.[\]]+(\[\d+\])?)+$/.test(path)) {
        throw new Error(`not a dot-notation JSON path: ${path}`);
    }
    let value: unknown = event;
    for (const part of path.slice(2).split(".")) {
        const [, name, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(part)!;
        const steps: (string | number)[] = index === undefined ? [name] : [name, Number(index)];
        for (const step of steps) {
            const fits = typeof step === "number" ? Array.isArray(value) : typeof value === "object" && value !== null && !Array.isArray(value);
            if (!fits || !(step in (value as object))) {
                return undefined;
            }
            value = (value as Record<string | number, unknown>)[step];
        }
    }
    return value === null ? undefined : value;
}

/** The message EventBridge hands the target: placeholders filled, then every quoted line decoded. */
export function render(inputPaths: Readonly<Record<string, string>>, template: string, event: unknown): string {
    const filled = template.replace(/<([A-Za-z0-9.-]+)>/g, (placeholder, name: string) => {
        if (!(name in inputPaths)) {
            return placeholder;
        }
        const value = valueAt(event, inputPaths[name]);
        if (value === undefined) {
            throw new Error(`${placeholder} (${inputPaths[name]}) has no value in this event: EventBridge creates no variable for it`);
        }
        return typeof value === "string" ? value : JSON.stringify(value);
    });
    return filled
        .split("\n")
        .map((line) => JSON.parse(line) as string)
        .join("\n");
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
