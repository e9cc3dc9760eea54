#!/usr/bin/env node
// The `ecs-exec` bin: the bundle `npm ci` builds (cli/build.ts), loaded as it is; nothing is compiled at run time.
"use strict";
const path = require("path");

const bundle = path.join(__dirname, "..", "dist", "main.mjs");
import(bundle).then(
    (cli) => cli.run(),
    (e) => {
        if (e.code === "ERR_MODULE_NOT_FOUND" && e.url === require("url").pathToFileURL(bundle).href) {
            process.stderr.write(`ecs-exec: not built (no ${bundle}): run npm ci, or npm run build, in ${path.resolve(__dirname, "..", "..")}\n`);
        } else {
            process.stderr.write(`ecs-exec: cannot load ${bundle}:\n${e.stack}\n`);
        }
        process.exitCode = 70;
    },
);
