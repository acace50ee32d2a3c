package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/export"
)

// setExportProfiles reads export.profiles, a YAML list of export.ProfileSpec, and
// checks each profile as the export will use it, so that a misspelt field fails at
// start-up and not on the day finance exports. Every problem names its key:
// `export.profiles[1].columns[2].field: "amout" is not a field (...)`. A nil node
// (the option unset) defines no profile.
func setExportProfiles(c *Config, list *yaml.Node) []error {
	c.Export.Profiles = nil
	const key = "export.profiles"
	if list == nil || (list.Kind == yaml.ScalarNode && list.Tag == "!!null") || (list.Kind == yaml.ScalarNode && list.Value == "") {
		return nil
	}
	if list.Kind != yaml.SequenceNode {
		return []error{fmt.Errorf("%s: must be a list of profiles, each with a name and columns or a base", key)}
	}
	var errs []error
	seen := map[string]int{}
	for i, item := range list.Content {
		at := fmt.Sprintf("%s[%d]", key, i)
		spec, specErrs := decodeProfileSpec(at, item)
		if len(specErrs) > 0 {
			for _, e := range specErrs {
				errs = append(errs, &lineError{item.Line, e})
			}
			continue
		}
		if j, dup := seen[spec.Name]; dup {
			errs = append(errs, &lineError{item.Line, fmt.Errorf("%s.name: %q is also the name of %s[%d]", at, spec.Name, key, j)})
			continue
		}
		seen[spec.Name] = i
		p, err := export.ParseProfile(spec)
		if err != nil {
			for _, e := range profileProblems(err) {
				errs = append(errs, &lineError{item.Line, fmt.Errorf("%s.%w", at, e)})
			}
			continue
		}
		c.Export.Profiles = append(c.Export.Profiles, p)
	}
	return errs
}

// lineError is a problem of a list item, with the item's line in the YAML it was
// read from.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// decodeProfileSpec decodes one profile, refusing keys ProfileSpec does not have
// (a misspelt "decimal_point" would otherwise silently keep the base's mark).
func decodeProfileSpec(at string, n *yaml.Node) (export.ProfileSpec, []error) {
	var spec export.ProfileSpec
	if n.Kind != yaml.MappingNode {
		return spec, []error{fmt.Errorf("%s: must be a profile: keys such as name, base, separator and columns", at)}
	}
	errs := unknownKeys(at, n, reflect.TypeFor[export.ProfileSpec]())
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != "columns" || n.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		for j, col := range n.Content[i+1].Content {
			colAt := fmt.Sprintf("%s.columns[%d]", at, j)
			if col.Kind != yaml.MappingNode {
				errs = append(errs, fmt.Errorf("%s: must be a column: {header: ..., field: ...}", colAt))
				continue
			}
			errs = append(errs, unknownKeys(colAt, col, reflect.TypeFor[export.Column]())...)
		}
	}
	if len(errs) > 0 {
		return spec, errs
	}
	if err := n.Decode(&spec); err != nil {
		return spec, []error{fmt.Errorf("%s: %w", at, err)}
	}
	return spec, nil
}

// unknownKeys lists the keys of mapping n that are not yaml tags of struct type t.
func unknownKeys(at string, n *yaml.Node, t reflect.Type) []error {
	var known []string
	for f := range t.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			known = append(known, name)
		}
	}
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; !slices.Contains(known, k) {
			errs = append(errs, fmt.Errorf("%s.%s: unknown key (known keys: %s)", at, k, strings.Join(known, ", ")))
		}
	}
	return errs
}

// profileProblems splits export.ParseProfile's error, `export profile "x": a: ...`
// joined with `b: ...`, into its problems, each starting with the key it names.
func profileProblems(err error) []error {
	joined, ok := errors.Unwrap(err).(interface{ Unwrap() []error })
	if !ok {
		return []error{fmt.Errorf("name: %w", err)}
	}
	return joined.Unwrap()
}

// parseListValue reads a list option given as text (in the environment): YAML, of
// which JSON is a part. Empty text is no list.
func parseListValue(v string) (*yaml.Node, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(v), &doc); err != nil {
		return nil, fmt.Errorf("not a YAML or JSON list: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}
