// Package files reads the provider plugin's schema with this repository's language settings laid
// under it, and writes a generated SDK's files. It imports no Pulumi module, so the two generator
// programs (each pinned to its own pkg/v3 release) share it.
package files

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Tool is the name the generators write into each file's header.
const Tool = "pulumi-alicloud-cas sdkgen"

// Options are the flags both generator programs take.
type Options struct {
	Schema   string
	Defaults string
	Version  string
	Out      string
}

// Flags declares -schema, -defaults, -version and -out on fs.
func Flags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.StringVar(&o.Schema, "schema", "provider/plugin/schema.json", "the provider plugin's schema")
	fs.StringVar(&o.Defaults, "defaults", "", "schema settings (package names, import paths) used where the schema leaves them unset")
	fs.StringVar(&o.Version, "version", "", "the package version, where the schema gives none (packed SDKs need one)")
	fs.StringVar(&o.Out, "out", "plugin-sdk", "the directory each language's SDK is written under (<out>/<language>, emptied first)")
	return o
}

// Spec is the schema's JSON with the settings of -defaults (and -version) filled in where the schema sets none:
// objects are merged key by key, at every depth, and wherever both give a value that is not an
// object on both sides, the schema's own wins.
func (o *Options) Spec() ([]byte, error) {
	raw, err := os.ReadFile(o.Schema)
	if err != nil {
		return nil, fmt.Errorf("reading the schema: %w", err)
	}
	var spec map[string]any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %w", o.Schema, err)
	}
	if o.Defaults != "" {
		extra, err := os.ReadFile(o.Defaults)
		if err != nil {
			return nil, fmt.Errorf("reading the schema defaults: %w", err)
		}
		var defaults map[string]any
		if err := json.Unmarshal(extra, &defaults); err != nil {
			return nil, fmt.Errorf("%s is not a JSON object: %w", o.Defaults, err)
		}
		fill(spec, defaults)
	}
	if o.Version != "" {
		fill(spec, map[string]any{"version": o.Version})
	}
	return json.Marshal(spec)
}

// fill sets in own every key of defaults it lacks, and fills the objects both hold.
func fill(own, defaults map[string]any) {
	for key, value := range defaults {
		mine, set := own[key]
		if !set {
			own[key] = value
			continue
		}
		a, aIsObject := mine.(map[string]any)
		b, bIsObject := value.(map[string]any)
		if aIsObject && bIsObject {
			fill(a, b)
		}
	}
}

// Write empties <out>/<language> and writes files (paths relative to it, as the generators name them).
func (o *Options) Write(language string, files map[string][]byte) error {
	dir := filepath.Join(o.Out, language)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		clean := filepath.Clean(filepath.FromSlash(name))
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
			return fmt.Errorf("the %s generator named a file outside its directory: %s", language, name)
		}
		path := filepath.Join(dir, clean)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "sdkgen: %s SDK: %d files in %s\n", language, len(names), dir)
	return nil
}
