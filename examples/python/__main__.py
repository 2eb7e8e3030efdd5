"""Orders a certificate for the stack's `domain`, publishes its validation record in Alibaba Cloud
DNS, waits for issuance, and exports what ALB/NLB/WAF (certIdentifier) and CDN/SLB (certificateId)
take."""

import pulumi
import pulumi_alicloud as alicloud

from program import certificate

config = pulumi.Config()


def alidns_record(name, record):
    return alicloud.dns.AlidnsRecord(
        name,
        domain_name=record.zone,
        rr=record.rr,
        type=record.type,
        value=record.value,
    )


order, record, issued = certificate(
    config.get("domain") or "www.example.com",
    alidns_record,
    username="Keller",
    phone="13800001111",
    email="ops@example.com",
)

pulumi.export("orderId", order.order_id)
pulumi.export("certIdentifier", issued.cert_identifier)
pulumi.export("certificateId", issued.certificate_id)
pulumi.export("notAfter", issued.not_after)
