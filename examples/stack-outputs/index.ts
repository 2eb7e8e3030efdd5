// Entry point when this folder is run as a Pulumi project. One project, two kinds of stack: set
// `certificatesStack` (e.g. `pulumi config set certificatesStack organization/cas-stack-outputs/certs`)
// on the stack that publishes the DNS records; leave it unset on the stack that orders.
import * as pulumi from "@pulumi/pulumi";
import { certificates, dns } from "./program";

export = new pulumi.Config().get("certificatesStack") ? dns() : certificates();
