import { alidns } from "./program";

export = alidns();
