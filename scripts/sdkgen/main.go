// Command sdkgen writes the Python, Go and Node.js SDKs of the alicloudcas provider plugin from its
// schema with Pulumi's own code generators: the ones `pulumi package gen-sdk` runs inside each
// language host, called directly, because the language hosts cannot be installed offline.
//
//	go run . -schema ../../provider/plugin/schema.json -defaults ../../plugin-sdk/schema-defaults.json \
//	  -out ../../plugin-sdk python go nodejs
//
// Each SDK is written to <out>/<language>, emptied first. This pkg/v3 release (the Pulumi CLI's)
// no longer holds the .NET generator; ./dotnet writes that SDK with the same flags.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"local/sdkgen/files"
)

func main() {
	opts := files.Flags(flag.CommandLine)
	flag.Parse()
	if err := run(opts, flag.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(opts *files.Options, languages []string) error {
	if len(languages) == 0 {
		languages = []string{"python", "go", "nodejs"}
	}
	raw, err := opts.Spec()
	if err != nil {
		return err
	}
	for _, language := range languages {
		// Each generator records its settings on the package: bind afresh for each.
		pkg, err := bind(raw)
		if err != nil {
			return err
		}
		var out map[string][]byte
		switch language {
		case "python":
			out, err = python.GeneratePackage(files.Tool, pkg, map[string][]byte{}, noReferences{})
		case "go":
			out, err = gogen.GeneratePackage(files.Tool, pkg, map[string]string{})
		case "nodejs":
			out, err = nodejs.GeneratePackage(files.Tool, pkg, map[string][]byte{}, map[string]string{}, false, noReferences{})
		default:
			return fmt.Errorf("unknown language %q: this program writes python, go and nodejs (./dotnet writes dotnet)", language)
		}
		if err != nil {
			return fmt.Errorf("generating the %s SDK: %w", language, err)
		}
		if err := opts.Write(language, out); err != nil {
			return err
		}
	}
	return nil
}

// bind validates the schema against Pulumi's metaschema and binds it, as gen-sdk does.
func bind(raw []byte) (*schema.Package, error) {
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("the schema does not parse: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return nil, fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return nil, fmt.Errorf("the schema is not valid: %s", diags.Error())
	}
	return pkg, nil
}

// noReferences refuses every other package: the schema refers to no type of another provider.
type noReferences struct{}

func (noReferences) refuse(name string) error {
	return fmt.Errorf("the schema refers to package %q; this generator resolves no other package", name)
}

func (l noReferences) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, l.refuse(name)
}

func (l noReferences) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, l.refuse(d.Name)
}

func (l noReferences) LoadPackageReference(name string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, l.refuse(name)
}

func (l noReferences) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, l.refuse(d.Name)
}
