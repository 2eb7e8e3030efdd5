import type * as pulumi from "@pulumi/pulumi";

/** The value an output resolves to, under Pulumi's mocks (`pulumi.runtime.setMocks`). */
export const outputValue = <T>(o: pulumi.Output<T>): Promise<T> =>
  new Promise<T>((resolve) => o.apply(resolve));
