// Entry point when this folder is run as a Pulumi project (`pulumi up` with the nodejs runtime).
import { quickstart } from "./program";

export = quickstart();
