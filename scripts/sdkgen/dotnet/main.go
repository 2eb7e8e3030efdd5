// Command dotnet writes the .NET SDK of the alicloudcas provider plugin from its schema, with the
// .NET generator of pkg/v3 v3.228.0: the last release that holds it (later ones moved it to a
// module the Go module proxy does not serve). Same flags as ../main.go:
//
//	go run . -schema ../../../provider/plugin/schema.json -defaults ../../../plugin-sdk/schema-defaults.json \
//	  -out ../../../plugin-sdk
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"local/sdkgen/files"
)

func main() {
	opts := files.Flags(flag.CommandLine)
	flag.Parse()
	if err := run(opts); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen dotnet: %v\n", err)
		os.Exit(1)
	}
}

func run(opts *files.Options) error {
	if args := flag.Args(); len(args) > 1 || (len(args) == 1 && args[0] != "dotnet") {
		return fmt.Errorf("this program writes the dotnet SDK only (asked for %v)", args)
	}
	raw, err := opts.Spec()
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("the schema does not parse: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, noReferences{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("the schema is not valid: %s", diags.Error())
	}
	logo, err := plainLogo()
	if err != nil {
		return err
	}
	// The generator downloads the package's logo (the schema's logoUrl, else Pulumi's) with
	// http.Get. Nothing is downloaded here: every request it makes is answered with a plain logo.
	http.DefaultTransport = logoOnly{png: logo}
	out, err := dotnet.GeneratePackage(files.Tool, pkg, map[string][]byte{}, map[string]string{})
	if err != nil {
		return fmt.Errorf("generating the dotnet SDK: %w", err)
	}
	return opts.Write("dotnet", out)
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

// logoOnly answers every GET with the same PNG and refuses every other request.
type logoOnly struct{ png []byte }

func (l logoOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		return nil, fmt.Errorf("the dotnet generator sent %s %s; this program answers its logo download only", r.Method, r.URL)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(l.png)),
		ContentLength: int64(len(l.png)),
		Request:       r,
	}, nil
}

// plainLogo is a 64x64 square in one colour: the NuGet package's icon, the same bytes on every run.
func plainLogo() ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 64))
	fill := color.NRGBA{R: 0xff, G: 0x6a, B: 0x00, A: 0xff}
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.SetNRGBA(x, y, fill)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
