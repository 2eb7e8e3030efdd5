/**
 * The providers as Pulumi's provider host runs them: what the serialized stubs reach through
 * the package root (`o`, `v`, `i`), and nothing else, so a provider process loads only what its calls
 * need. Built into one file (scripts/bundle-provider.cjs): `pulumi-alicloud-cas/provider` exports
 * providers from the same sources but as other module instances, each with its own configuration.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-version";
import { certificateOrderProvider } from "./order/order-provider";
import { certificateOrderValidationProvider } from "./order/validation-provider";
import { instanceCertificateProvider } from "./instance/instance-provider";
import { withOperationDeadline } from "./cas/deadline";
import { operationDeadline } from "./order/settings";
import { withCodedErrors } from "./coded-errors";

// Every error thrown to the engine shows its code (`[OrderInAnotherAccount] …`, see coded-errors.ts).

/**
 * CertificateOrder's provider. Each order operation's API calls share one deadline
 * (`alicloud-cas:operationTimeoutSeconds`); the validation wait has its own.
 */
export const order = withCodedErrors(withOperationDeadline(certificateOrderProvider, operationDeadline));
/** CertificateOrderValidation's provider. */
export const validation = withCodedErrors(certificateOrderValidationProvider);
/** InstanceCertificate's provider. */
export const instance = withCodedErrors(instanceCertificateProvider);
