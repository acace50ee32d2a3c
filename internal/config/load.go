package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/redact"
)

// Source says where an option's effective value came from.
type Source string

const (
	FromDefault Source = "default"
	FromFile    Source = "file"
	FromEnv     Source = "environment"
	FromFlag    Source = "flag"
)

// Loaded is a validated configuration and where each value came from.
type Loaded struct {
	Config
	File    string
	sources map[string]Source
}

// Load builds the configuration from defaults, the YAML file at path (skipped when
// path is empty), the environment, and flag overrides keyed by option name, in that
// order of precedence. Every unknown key and invalid value is reported, naming the
// key and, for enumerations, the allowed values.
func Load(path string, environ []string, overrides map[string]string) (*Loaded, error) {
	l := &Loaded{File: path, sources: map[string]Source{}}
	var errs []error
	values := map[string]string{}
	// nodes are the file's values of list options, kept as YAML so that their
	// problems can name the file's lines.
	var nodes map[string]*yaml.Node
	for _, o := range options {
		values[o.key] = o.def
		l.sources[o.key] = FromDefault
	}

	if path != "" {
		fileValues, fileNodes, fileErrs, err := readFile(path)
		if err != nil {
			return nil, err
		}
		// Unknown keys are reported with every other problem, not instead of them.
		errs = append(errs, fileErrs...)
		nodes = fileNodes
		if v, ok := fileValues["database.url"]; ok {
			fileValues["database.url"] = besideFile(v, filepath.Dir(path))
		}
		for k, v := range fileValues {
			values[k] = v
			l.sources[k] = FromFile
		}
	}

	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "SEATLEDGER_") {
			env[k] = v
		}
	}
	// SEATLEDGER_NOW sets the clock of every command, not a configuration key.
	known := map[string]bool{"SEATLEDGER_CONFIG": true, "SEATLEDGER_NOW": true}
	for _, o := range options {
		name := EnvName(o.key)
		known[name] = true
		if v, ok := env[name]; ok {
			values[o.key] = v
			l.sources[o.key] = FromEnv
		}
		if o.secret {
			known[name+"_FILE"] = true
			if file, ok := env[name+"_FILE"]; ok {
				if _, both := env[name]; both {
					errs = append(errs, fmt.Errorf("%s and %s_FILE are both set: set one of them", name, name))
					continue
				}
				b, err := os.ReadFile(file)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
					continue
				}
				values[o.key] = strings.TrimRight(string(b), "\r\n")
				l.sources[o.key] = FromEnv
			}
		}
	}
	for name := range env {
		if !known[name] && !strings.HasPrefix(name, "SEATLEDGER_TEST_") {
			errs = append(errs, fmt.Errorf("environment variable %s: unknown setting (known: %s)", name, strings.Join(knownEnvNames(), ", ")))
		}
	}

	for k, v := range overrides {
		if v == "" {
			continue
		}
		values[k] = v
		l.sources[k] = FromFlag
	}

	for _, o := range options {
		if o.list {
			errs = append(errs, l.setList(o, path, values[o.key], nodes[o.key])...)
			continue
		}
		v := strings.TrimSpace(values[o.key])
		if len(o.allowed) > 0 && !slices.Contains(o.allowed, v) {
			errs = append(errs, fmt.Errorf("%s: %q is not allowed (allowed: %s)", o.key, v, strings.Join(o.allowed, ", ")))
			continue
		}
		if err := o.set(&l.Config, v); err != nil {
			if o.private && v != "" {
				// The setters do not quote private values; this keeps a future one,
				// or an error it wraps, from doing so.
				err = redact.Error(err, v)
			}
			errs = append(errs, fmt.Errorf("%s (from %s): %w", o.key, l.sources[o.key], err))
		}
	}
	// Partner Center's token is for the partner's own tenant.
	if l.Config.PartnerCenter.Enabled && l.Config.Partner.TenantID == "" {
		errs = append(errs, errors.New("partner_center.enabled: needs partner.tenant_id, the partner's own tenant that Partner Center signs in to"))
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return l, nil
}

// setList sets a list option from the file's node or, when it came from the
// environment, from its text; problems from the file name the file and the line.
func (l *Loaded) setList(o option, path, text string, fromFile *yaml.Node) []error {
	node, where := fromFile, ""
	switch l.sources[o.key] {
	case FromFile:
		where = fmt.Sprintf("%s:%d: ", path, fromFile.Line)
	case FromEnv:
		where = EnvName(o.key) + ": "
	}
	if l.sources[o.key] != FromFile {
		var err error
		if node, err = parseListValue(text); err != nil {
			return []error{fmt.Errorf("%s (from %s): %w", o.key, l.sources[o.key], err)}
		}
	}
	errs := o.setList(&l.Config, node)
	for i, err := range errs {
		var at *lineError
		if l.sources[o.key] == FromFile && errors.As(err, &at) {
			errs[i] = fmt.Errorf("%s:%d: %w", path, at.line, err)
		} else {
			errs[i] = fmt.Errorf("%s%w", where, err)
		}
	}
	return errs
}

// besideFile resolves a relative sqlite: path against the folder of the configuration
// file that names it, so that the file means the same database from any folder.
func besideFile(url, dir string) string {
	p, ok := strings.CutPrefix(url, "sqlite:")
	if !ok || p == "" || p == ":memory:" || filepath.IsAbs(p) {
		return url
	}
	return "sqlite:" + filepath.Join(dir, p)
}

// readFile returns the file's values, the nodes of its list options and the problems
// of its keys; err is for a file that cannot be read at all.
func readFile(path string) (map[string]string, map[string]*yaml.Node, []error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("configuration file: %w", err)
	}
	defer f.Close()
	// Decoded as nodes, not into a map: yaml.v3's type errors quote the value, which
	// may be a password written under the wrong indentation.
	var doc yaml.Node
	if err := yaml.NewDecoder(f).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, nil, fmt.Errorf("configuration file %s: %w", path, err)
	}
	known := map[string]bool{}
	list := map[string]bool{}
	for _, o := range options {
		known[o.key] = true
		list[o.key] = o.list
	}
	out := map[string]string{}
	nodes := map[string]*yaml.Node{}
	var errs []error
	if len(doc.Content) == 0 {
		return out, nodes, nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, nil, nil, fmt.Errorf("configuration file %s:%d: must be sections of keys, such as database: url: ...", path, root.Line)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		section, keys := root.Content[i], root.Content[i+1]
		if keys.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Errorf("%s:%d: %s: must be a section of keys (the value is not shown)", path, section.Line, section.Value))
			continue
		}
		for j := 0; j+1 < len(keys.Content); j += 2 {
			key, node := keys.Content[j], keys.Content[j+1]
			name := section.Value + "." + key.Value
			if !known[name] {
				errs = append(errs, fmt.Errorf("%s:%d: %s: unknown key (known keys: %s)", path, key.Line, name, strings.Join(knownKeys(), ", ")))
				continue
			}
			if list[name] {
				nodes[name], out[name] = node, ""
				continue
			}
			if node.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Errorf("%s:%d: %s: must be a single value", path, node.Line, name))
				continue
			}
			out[name] = node.Value
		}
	}
	return out, nodes, errs, nil
}

func knownKeys() []string {
	keys := make([]string, len(options))
	for i, o := range options {
		keys[i] = o.key
	}
	return keys
}

func knownEnvNames() []string {
	names := make([]string, len(options))
	for i, o := range options {
		names[i] = EnvName(o.key)
	}
	return names
}

// Setting is one effective option, with secrets masked, for printing.
type Setting struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source Source `json:"source"`
	Env    string `json:"env"`
	Doc    string `json:"doc"`
}

// Settings lists the effective configuration in table order, secrets masked.
func (l *Loaded) Settings() []Setting {
	out := make([]Setting, len(options))
	for i, o := range options {
		v := o.get(&l.Config)
		switch {
		case o.url:
			v = redact.URL(v)
		case o.secret && v != "":
			v = redact.Mask
		}
		out[i] = Setting{Key: o.key, Value: v, Source: l.sources[o.key], Env: EnvName(o.key), Doc: o.doc}
	}
	return out
}
