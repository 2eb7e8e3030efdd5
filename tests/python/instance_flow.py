#!/usr/bin/env python3
"""The certificate-instance flow driven by the official Python SDK against the emulator.

Run by tests/integration/python-sdk-instances.test.ts with the interpreter of the virtual
environment scripts/python-sdk.sh makes (`alibabacloud_cas20200407` and its dependencies, pinned in
scripts/python-sdk-requirements.txt). It takes the emulator's address and an access key from the
environment, calls each action through the SDK's own request and response models, and prints one
JSON document with every answer (`to_map()` of the response body) for the test to check. The
script does not judge the answers: it only waits (a bounded number of reads) where the flow
waits, and stops with a message when a step cannot go on.

Environment: CAS_ENDPOINT (http://127.0.0.1:PORT), CAS_ACCESS_KEY_ID, CAS_ACCESS_KEY_SECRET.
"""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

from alibabacloud_cas20200407 import models as cas_models
from alibabacloud_cas20200407.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_models

# Reads of GetInstanceDetail before a step is given up (each 50 ms apart): the emulator answers
# within a few reads; the bound only keeps a broken flow from spinning.
MAX_READS = 200


def fail(message):
    sys.exit(f"instance_flow.py: {message}")


def client_for(endpoint, key_id, key_secret):
    url = urllib.parse.urlsplit(endpoint)
    if url.scheme != "http" or not url.netloc:
        fail(f"CAS_ENDPOINT must be http://HOST:PORT, got {endpoint!r}")
    config = open_api_models.Config(
        access_key_id=key_id,
        access_key_secret=key_secret,
        protocol="http",
        endpoint=url.netloc,
        region_id="cn-hangzhou",
    )
    return Client(config)


def publish(endpoint, name, record_type, value):
    """Publishes a DNS record in the emulator's DNS (what an AlidnsRecord does on a real account)."""
    body = json.dumps({"name": name, "type": record_type, "value": value}).encode()
    req = urllib.request.Request(
        f"{endpoint}/_emulator/dns-records",
        data=body,
        method="POST",
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(req) as res:
        res.read()


def main():
    endpoint = os.environ.get("CAS_ENDPOINT") or fail("CAS_ENDPOINT is not set")
    key_id = os.environ.get("CAS_ACCESS_KEY_ID") or fail("CAS_ACCESS_KEY_ID is not set")
    key_secret = os.environ.get("CAS_ACCESS_KEY_SECRET") or fail("CAS_ACCESS_KEY_SECRET is not set")
    cas = client_for(endpoint, key_id, key_secret)
    out = {}

    def detail(instance_id):
        return cas.get_instance_detail(
            cas_models.GetInstanceDetailRequest(instance_id=instance_id)
        ).body

    def read_until(instance_id, done, what):
        reads = []
        for _ in range(MAX_READS):
            d = detail(instance_id)
            reads.append(d.to_map())
            if done(d):
                return d, reads
            time.sleep(0.05)
        fail(f"instance {instance_id}: {what} after {MAX_READS} reads; last answer {reads[-1]}")

    # The pool: how many TEST instances are inactive, and which.
    out["summaryBefore"] = cas.get_instance_summary(
        cas_models.GetInstanceSummaryRequest(instance_type="TEST")
    ).body.to_map()
    listed = cas.list_instances(
        cas_models.ListInstancesRequest(instance_type="TEST", status="inactive", show_size=50)
    ).body
    out["inactiveTest"] = listed.to_map()
    if len(listed.instance_list or []) < 2:
        fail(f"the flow takes 2 inactive TEST instances; ListInstances gave {out['inactiveTest']}")
    first, second = listed.instance_list[0].instance_id, listed.instance_list[1].instance_id

    # The contact: created, then found by email, then read by id.
    created = cas.create_contact(
        cas_models.CreateContactRequest(name="Keller", mobile="13800001111", email="ops@example.com")
    ).body
    out["createContact"] = created.to_map()
    out["listContact"] = cas.list_contact(
        cas_models.ListContactRequest(keyword="ops@example.com")
    ).body.to_map()
    out["getContact"] = cas.get_contact(
        cas_models.GetContactRequest(contact_id=created.contact_id)
    ).body.to_map()

    # The application on the first instance, marked with a tag as InstanceCertificate marks its claim.
    def apply(instance_id, domain):
        updated = cas.update_instance(
            cas_models.UpdateInstanceRequest(
                instance_id=instance_id,
                domain=domain,
                generate_csr_method="online",
                key_algorithm="ECC_256",
                validation_method="DNS",
                contact_id_list=[created.contact_id],
                auto_reissue="disable",
                tags=[cas_models.UpdateInstanceRequestTags(tag_key="owner", tag_value="python-sdk")],
            )
        ).body.to_map()
        applied = cas.apply_certificate(
            cas_models.ApplyCertificateRequest(instance_id=instance_id)
        ).body.to_map()
        return updated, applied

    out["updateInstance"], out["applyCertificate"] = apply(first, "www.example.com")
    with_records, reads = read_until(
        first, lambda d: bool(d.domain_validation_list), "no DomainValidationList"
    )
    out["readsUntilRecords"] = reads
    out["pending"] = with_records.to_map()

    # Publish each record where ValidationKey and RootDomain name it (the key relative to the root
    # domain unless it already ends in it), then read until CAS issued.
    published = []
    for v in with_records.domain_validation_list:
        key, root = v.validation_key, v.root_domain
        name = key if key == root or key.endswith("." + root) else f"{key}.{root}"
        publish(endpoint, name, v.validation_type, v.validation_value)
        published.append({"name": name, "type": v.validation_type, "value": v.validation_value})
    out["published"] = published
    issued, _ = read_until(first, lambda d: d.status != "pending", "still pending after its records")
    out["issued"] = issued.to_map()
    out["taskAttribute"] = cas.get_task_attribute(
        cas_models.GetTaskAttributeRequest(task_id=first)
    ).body.to_map()
    out["certificateDetail"] = cas.get_user_certificate_detail(
        cas_models.GetUserCertificateDetailRequest(cert_id=issued.certificate_id)
    ).body.to_map()
    out["summaryIssued"] = cas.get_instance_summary(
        cas_models.GetInstanceSummaryRequest(instance_type="TEST")
    ).body.to_map()

    # The second instance: applied, then the pending application cancelled (asynchronous: the
    # instance leaves `pending` on a later read).
    apply(second, "api.example.com")
    read_until(second, lambda d: bool(d.domain_validation_list), "no DomainValidationList")
    out["cancelPending"] = cas.cancel_pending_certificate(
        cas_models.CancelPendingCertificateRequest(instance_id=second)
    ).body.to_map()
    cancelled, reads = read_until(second, lambda d: d.status != "pending", "still pending after the cancel")
    out["readsUntilCancelled"] = reads
    out["cancelled"] = cancelled.to_map()
    out["summaryAfter"] = cas.get_instance_summary(
        cas_models.GetInstanceSummaryRequest(instance_type="TEST")
    ).body.to_map()
    out["first"], out["second"] = first, second

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
