import { batch } from "./program";

export = batch();
