import { albHttps } from "./program";

export = albHttps();
