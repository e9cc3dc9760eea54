// `node --import ./recordLoads.mjs`: appends the URL of every ES module the process loads to $RECORD_LOADS.
import { register } from "node:module";

register(new URL("./loadHooks.mjs", import.meta.url), { data: process.env.RECORD_LOADS });
