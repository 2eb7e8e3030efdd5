/**
 * The composition root, and the providers as Pulumi's provider host runs them: what the serialized
 * stubs reach through the package root (`o`, `v`, `i`), and nothing else, so a provider process
 * loads only what its calls need. Built into one file (scripts/bundle-provider.cjs):
 * `pulumi-alicloud-cas/provider` exports providers from the same sources but as other module
 * instances, each with its own configuration.
 * @packageDocumentation
 */
// First: a clear error on too old a Node, before any dependency fails obscurely.
import "../runtime/node-guard";
import type { Clock } from "../runtime/clock";
import { withOperationDeadline } from "./cas/deadline";
import {
  processClock,
  renew,
  type ConfigureRequest,
  type ProviderContext,
  type Scope,
} from "./order/context";
import { orderController } from "./order/order-provider";
import { validationController } from "./order/validation-provider";
import { instanceController } from "./instance/instance-provider";
import { withCodedErrors } from "./coded-errors";
import { withAccountScope } from "./cas/acting-account";

/**
 * Each method call is one operation: it acts for one account (the first its credentials are found
 * to belong to; see acting-account.ts), and the errors it throws to the engine show their code.
 */
const operation = <P extends object>(provider: P): P => withCodedErrors(withAccountScope(provider));

/**
 * The three providers over one context: each `configure` builds the context anew (settings,
 * client, log) and renews its own controller's memory (see `renew`); each method reads the
 * context current when it runs. Nothing is shared with another call of this function. Every error
 * thrown to the engine shows its code (`[OrderInAnotherAccount] …`, see coded-errors.ts).
 */
export function createProviders(clock: Clock = processClock()) {
  let context: ProviderContext = renew({ config: { get: () => undefined } }, clock, "order");
  const ctx = () => context;
  const configurable = <C extends object>(scope: Scope, controller: C) => ({
    async configure(req: ConfigureRequest): Promise<void> {
      context = renew(req, clock, scope, context);
    },
    ...controller,
  });
  return {
    /**
     * CertificateOrder's provider. Each order operation's API calls share one deadline
     * (`alicloud-cas:operationTimeoutSeconds`); the validation wait has its own.
     */
    order: operation(
      withOperationDeadline(configurable("order", orderController(ctx)), () => context.operationDeadline()),
    ),
    /** CertificateOrderValidation's provider. */
    validation: operation(configurable("validation", validationController(ctx))),
    /** InstanceCertificate's provider. */
    instance: operation(configurable("instance", instanceController(ctx))),
    /** The context current now (for tests that look at what a configuration remembers). */
    context: ctx,
  };
}

const providers = createProviders();
/** CertificateOrder's provider. */
export const order = providers.order;
/** CertificateOrderValidation's provider. */
export const validation = providers.validation;
/** InstanceCertificate's provider. */
export const instance = providers.instance;
