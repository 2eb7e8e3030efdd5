import { cdnHttps } from "./program";

export = cdnHttps();
