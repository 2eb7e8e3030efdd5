"""A Python program with the plugin's ManagedCertificate component, run as an Automation API inline program.

One `pulumi_alicloudcas.ManagedCertificate` (the generated SDK, plugin-sdk/python) orders a
certificate for www.example.com, publishes its validation record as an `emulatordns:index:AlidnsRecord`
(the emulatordns test plugin's stand-in for alicloud.dns.AlidnsRecord, publishing to the emulator's
DNS) and waits for issuance. Then it runs `up` again, and `destroy`, and prints one JSON object
saying what each step did, for the test to judge.

    python managed_certificate_program.py <work dir>

The environment gives the emulator: CAS_EMULATOR_ENDPOINT, CAS_EMULATOR_KEY_ID,
CAS_EMULATOR_KEY_SECRET; the Pulumi CLI and both plugins are on PATH, the backend is
PULUMI_BACKEND_URL.
"""

import json
import os
import sys

import pulumi
import pulumi_alicloudcas as cas
from pulumi import automation as auto


def program():
    cert = cas.ManagedCertificate(
        "site",
        domain="www.example.com",
        username="Keller",
        phone="13800001111",
        email="ops@example.com",
        quota_check="off",
        dns_record_type="emulatordns:index:AlidnsRecord",
        timeout_minutes=2,
        poll_interval_seconds=1,
    )
    pulumi.export("orderId", cert.order_id)
    pulumi.export("certIdentifier", cert.cert_identifier)
    pulumi.export("certificatePem", cert.certificate_pem)
    pulumi.export("privateKeyPem", cert.private_key_pem)
    pulumi.export("recordFqdn", cert.validation_records.apply(lambda r: r["www.example.com"]["fqdn"]))


def main(work_dir):
    endpoint = os.environ["CAS_EMULATOR_ENDPOINT"]
    # The emulatordns plugin the engine starts reads the emulator's control URL from its environment.
    os.environ["EMULATOR_DNS_CONTROL_URL"] = f"{endpoint}/_emulator"
    stack = auto.create_stack(
        stack_name="e2e",
        project_name="cas-python-managed",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=work_dir,
            project_settings=auto.ProjectSettings(name="cas-python-managed", runtime="python"),
        ),
    )
    stack.set_config("alicloudcas:accessKey", auto.ConfigValue(os.environ["CAS_EMULATOR_KEY_ID"]))
    stack.set_config(
        "alicloudcas:secretKey", auto.ConfigValue(os.environ["CAS_EMULATOR_KEY_SECRET"], secret=True)
    )
    result = {}
    up = stack.up(on_output=lambda line: print(line, file=sys.stderr))
    result["up"] = {
        "changes": up.summary.resource_changes,
        "outputs": {k: {"value": v.value, "secret": v.secret} for k, v in up.outputs.items()},
    }
    again = stack.up(on_output=lambda line: print(line, file=sys.stderr))
    result["second_up"] = {"changes": again.summary.resource_changes}
    destroyed = stack.destroy(on_output=lambda line: print(line, file=sys.stderr))
    result["destroy"] = {"changes": destroyed.summary.resource_changes}
    result["resources_after_destroy"] = len(stack.export_stack().deployment.get("resources") or [])
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
