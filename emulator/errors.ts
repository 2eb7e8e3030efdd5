import { ApiFault } from "./faults";

/** `InvalidParameter` naming the parameter and what it takes (code as the gateway spells it; message text is the emulator's). */
export const invalid = (name: string, why: string) =>
  new ApiFault("InvalidParameter", 400, `The specified parameter "${name}" is not valid: ${why}`);

/** `MissingParameter`, the gateway's answer to an absent required parameter. */
export const missing = (name: string) =>
  new ApiFault(
    "MissingParameter",
    400,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

/** No such order for this account. */
export const notFoundOrder = () => new ApiFault("NotFoundOrder", 404, "The order does not exist.");

/** UNCONFIRMED code for an action the order's state does not allow. */
export const stateError = (state: string, action: string, why = "") =>
  new ApiFault(
    "OrderStateError",
    403,
    `The order is in state ${state}; ${action} is not allowed in this state${why ? `: ${why}` : ""}.`,
  );
