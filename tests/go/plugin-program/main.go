// A Go program on the alicloudcas provider plugin, run as an Automation API inline program.
//
// It orders a certificate for www.example.com with the generated SDK (plugin-sdk/go, through the
// replace in go.mod), publishes the validation record its outputs name to the emulator's DNS (the
// emulatordns test plugin, standing in for alicloud.dns.AlidnsRecord), and waits for issuance.
// Then it runs `up` again, and `destroy`, and prints one JSON object saying what each step did.
//
//	plugin-program <work dir>
//
// The environment gives the emulator: CAS_EMULATOR_ENDPOINT, CAS_EMULATOR_KEY_ID,
// CAS_EMULATOR_KEY_SECRET; the Pulumi CLI and both plugins are on PATH, the backend is
// PULUMI_BACKEND_URL.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/pulumi-alicloud-cas/pulumi-alicloudcas/sdk/go/alicloudcas"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

const domain = "www.example.com"

// record is a record in the emulator's DNS (the emulatordns test plugin has no SDK of its own).
type record struct {
	pulumi.CustomResourceState
	Name pulumi.StringOutput `pulumi:"name"`
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	order, err := alicloudcas.NewCertificateOrder(ctx, "order", &alicloudcas.CertificateOrderArgs{
		Domain:     pulumi.String(domain),
		Username:   pulumi.String("Keller"),
		Phone:      pulumi.String("13800001111"),
		Email:      pulumi.String("ops@example.com"),
		QuotaCheck: pulumi.String("off"),
		Tags:       pulumi.StringMap{"team": pulumi.String("go")},
	})
	if err != nil {
		return err
	}
	// The record's name is known at preview (the order's domain is a plain string); its value after create.
	validation := order.ValidationRecords.MapIndex(pulumi.String(domain))
	var published record
	err = ctx.RegisterResource("emulatordns:index:Record", "record", pulumi.Map{
		"controlUrl": pulumi.String(cfg.Require("controlUrl")),
		"name":       validation.Fqdn(),
		"type":       validation.Type(),
		"value":      validation.Value(),
	}, &published)
	if err != nil {
		return err
	}
	issued, err := alicloudcas.NewCertificateValidation(ctx, "issued", &alicloudcas.CertificateValidationArgs{
		OrderId:               order.OrderId,
		ValidationRecordFqdns: pulumi.StringArray{validation.Fqdn()},
		TimeoutMinutes:        pulumi.Float64(2),
		PollIntervalSeconds:   pulumi.Float64(1),
	}, pulumi.DependsOn([]pulumi.Resource{&published}))
	if err != nil {
		return err
	}
	ctx.Export("orderId", order.OrderId)
	ctx.Export("status", issued.Status)
	ctx.Export("certIdentifier", issued.CertIdentifier)
	ctx.Export("certificatePem", issued.CertificatePem)
	ctx.Export("privateKeyPem", issued.PrivateKeyPem)
	ctx.Export("recordFqdn", validation.Fqdn())
	return nil
}

type output struct {
	Value  any  `json:"value"`
	Secret bool `json:"secret"`
}

func run(workDir string) (map[string]any, error) {
	ctx := context.Background()
	project := auto.Project(workspace.Project{Name: "cas-go", Runtime: workspace.NewProjectRuntimeInfo("go", nil)})
	stack, err := auto.NewStackInlineSource(ctx, "e2e", "cas-go", program, auto.WorkDir(workDir), project)
	if err != nil {
		return nil, fmt.Errorf("creating the stack: %w", err)
	}
	endpoint := os.Getenv("CAS_EMULATOR_ENDPOINT")
	configs := auto.ConfigMap{
		"controlUrl":            {Value: endpoint + "/_emulator"},
		"alicloudcas:accessKey": {Value: os.Getenv("CAS_EMULATOR_KEY_ID")},
		"alicloudcas:secretKey": {Value: os.Getenv("CAS_EMULATOR_KEY_SECRET"), Secret: true},
	}
	if err := stack.SetAllConfig(ctx, configs); err != nil {
		return nil, fmt.Errorf("setting the config: %w", err)
	}
	report := map[string]any{}
	up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("up: %w", err)
	}
	outputs := map[string]output{}
	for k, v := range up.Outputs {
		outputs[k] = output{Value: v.Value, Secret: v.Secret}
	}
	report["up"] = map[string]any{"changes": up.Summary.ResourceChanges, "outputs": outputs}
	again, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("second up: %w", err)
	}
	report["second_up"] = map[string]any{"changes": again.Summary.ResourceChanges}
	destroyed, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
	if err != nil {
		return nil, fmt.Errorf("destroy: %w", err)
	}
	report["destroy"] = map[string]any{"changes": destroyed.Summary.ResourceChanges}
	state, err := stack.Export(ctx)
	if err != nil {
		return nil, fmt.Errorf("stack export: %w", err)
	}
	var deployment struct {
		Resources []json.RawMessage `json:"resources"`
	}
	if err := json.Unmarshal(state.Deployment, &deployment); err != nil {
		return nil, fmt.Errorf("reading the exported state: %w", err)
	}
	report["resources_after_destroy"] = len(deployment.Resources)
	return report, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: plugin-program <work dir>")
		os.Exit(2)
	}
	report, err := run(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	line, err := json.Marshal(report)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(line))
}
