// Imported first by every entry point of the package (its body runs before any other module
// loads): on an older Node the dependencies fail later with errors that do not name the cause
// (undici 8 on Node 20: "Cannot read properties of undefined (reading 'bind')"). A program that
// requires the package gets an error it can catch; commands use bin-node-guard.ts instead.
import { nodeVersionProblem } from "./node-version";

const problem = nodeVersionProblem(process.versions.node);
if (problem) throw new Error(problem);
