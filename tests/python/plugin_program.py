"""A Python program on the alicloudcas provider plugin, run as an Automation API inline program.

It runs the program of examples/python (the generated SDK, plugin-sdk/python): a certificate
ordered for www.example.com, the validation record its outputs name published to the emulator's
DNS (the `emulatordns` test plugin, in place of the example's alicloud.dns.AlidnsRecord), and the
wait for issuance. Then it runs `up` again, and
`destroy`, and prints one JSON object saying what each step did, for the test to judge.

    python plugin_program.py <work dir>

The environment gives the emulator: CAS_EMULATOR_ENDPOINT, CAS_EMULATOR_KEY_ID,
CAS_EMULATOR_KEY_SECRET; the Pulumi CLI and both plugins are on PATH, the backend is
PULUMI_BACKEND_URL.
"""

import json
import os
import sys

import pulumi
from pulumi import automation as auto

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "python"))
from program import certificate  # noqa: E402  (examples/python/program.py)

DOMAIN = "www.example.com"


class Record(pulumi.CustomResource):
    """A record in the emulator's DNS (the emulatordns test plugin has no SDK of its own)."""

    def __init__(self, name, control_url, fqdn, record_type, value, opts=None):
        super().__init__(
            "emulatordns:index:Record",
            name,
            {"controlUrl": control_url, "name": fqdn, "type": record_type, "value": value},
            opts,
        )


def program():
    config = pulumi.Config()
    control_url = config.require("controlUrl")

    def emulator_record(name, record):
        return Record(name, control_url, record.fqdn, record.type, record.value)

    # The example's own program, with the emulator's DNS in place of Alibaba Cloud DNS.
    order, record, issued = certificate(
        DOMAIN,
        emulator_record,
        username="Keller",
        phone="13800001111",
        email="ops@example.com",
        timeout_minutes=2,
        poll_interval_seconds=1,
        tags={"team": "python"},
        quota_check="off",
    )
    pulumi.export("orderId", order.order_id)
    pulumi.export("status", issued.status)
    pulumi.export("certIdentifier", issued.cert_identifier)
    pulumi.export("certificatePem", issued.certificate_pem)
    pulumi.export("privateKeyPem", issued.private_key_pem)
    pulumi.export("recordFqdn", record.fqdn)


def main(work_dir):
    endpoint = os.environ["CAS_EMULATOR_ENDPOINT"]
    stack = auto.create_stack(
        stack_name="e2e",
        project_name="cas-python",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=work_dir,
            project_settings=auto.ProjectSettings(name="cas-python", runtime="python"),
        ),
    )
    stack.set_config("controlUrl", auto.ConfigValue(f"{endpoint}/_emulator"))
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
