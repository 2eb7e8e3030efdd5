// Imported first by each command (bin) of the package: on too old a Node it prints which Node it
// needs, as one message without a stack trace (nothing of the user's failed), and exits 1.
import { nodeVersionProblem } from "./node-version";

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
