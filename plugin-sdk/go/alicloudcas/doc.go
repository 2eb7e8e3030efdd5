// Orders TLS certificates from Alibaba Cloud Certificate Management Service (CAS): resource-plan orders, certificate instances, and the wait for issuance.
package alicloudcas
