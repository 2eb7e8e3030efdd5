/**
 * The two providers as Pulumi's provider host runs them: what the serialized stubs reach through
 * the package root (`o`, `v`), and nothing else, so a provider process loads only what its calls
 * need. `pulumi-alicloud-cas/provider` exports the same objects.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-version";
import { certificateOrderProvider } from "./order/order-provider";
import { certificateOrderValidationProvider } from "./order/validation-provider";
import { withOperationDeadline } from "./cas/deadline";
import { operationDeadline } from "./order/settings";

/**
 * CertificateOrder's provider. Each order operation's API calls share one deadline
 * (`alicloud-cas:operationTimeoutSeconds`); the validation wait has its own.
 */
export const order = withOperationDeadline(certificateOrderProvider, operationDeadline);
/** CertificateOrderValidation's provider. */
export const validation = certificateOrderValidationProvider;
