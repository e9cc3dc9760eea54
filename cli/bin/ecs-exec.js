#!/usr/bin/env node
// The `ecs-exec` bin: runs the TypeScript sources as they are, no build step. ts-node compiles each module as it
// loads (transpile only: `npm test` type-checks).
"use strict";
const path = require("path");

// The SDK warns on Node 20 that its releases after January 2027 will need Node 22; the versions pinned here run on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "..", "tsconfig.json") });
require("../main").run();
