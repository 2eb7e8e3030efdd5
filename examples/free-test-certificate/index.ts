import { freeTestCertificate } from "./program";

export = freeTestCertificate();
