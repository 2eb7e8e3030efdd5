"""A certificate from CAS: the order, its DNS validation record, and the wait for issuance.

`publish_record(name, record)` makes the DNS record (alicloud.dns.AlidnsRecord in __main__.py);
`record` carries `fqdn`, `zone`, `rr`, `type` and `value`. Whatever it returns is waited for
before the validation starts polling. Other keyword arguments go to the order (`product_code`,
`csr`, `on_delete`, ...).
"""

import pulumi
import pulumi_alicloudcas as cas


def certificate(
    domain,
    publish_record,
    *,
    username,
    phone,
    email,
    timeout_minutes=60,
    poll_interval_seconds=None,
    tags=None,
    **order_options,
):
    order = cas.CertificateOrder(
        "www",
        domain=domain,
        username=username,
        phone=phone,
        email=email,
        tags=tags,
        **order_options,
    )
    # The record's name is known at preview (domain is a plain string); its value once ordered.
    record = order.validation_records.apply(lambda records: records[domain])
    published = publish_record("www-validation", record)
    issued = cas.CertificateValidation(
        "www",
        order_id=order.order_id,
        validation_record_fqdns=[record.fqdn],
        timeout_minutes=timeout_minutes,
        poll_interval_seconds=poll_interval_seconds,
        opts=pulumi.ResourceOptions(depends_on=[published]),
    )
    return order, record, issued
