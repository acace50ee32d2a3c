package notices

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/iso"
	"github.com/seatledger/seatledger/internal/problems"
)

// Announced is a change of terms the partner announces to the customers it affects
// (`seatledger notices announce FILE`), with its text in each language.
type Announced struct {
	// Key names the announcement for good: announcing the same key again replaces
	// nothing already sent and makes no second notice.
	Key       string    `json:"key" yaml:"key"`
	Effective time.Time `json:"effective" yaml:"-"`
	Affects   Affects   `json:"affects" yaml:"affects"`
	// Text is the title and body by language (en, nl, de, fr, it, hr); English is
	// required, the language of last resort.
	Text   map[string]AnnouncedText `json:"text" yaml:"text"`
	Source string                   `json:"source,omitempty" yaml:"-"`
}

// AnnouncedText is an announcement in one language.
type AnnouncedText struct {
	Title string `json:"title" yaml:"title"`
	Body  string `json:"body" yaml:"body"`
}

// Affects says which subscriptions an announcement concerns; an empty list means
// any. A subscription is affected when it matches every non-empty list.
type Affects struct {
	SKUs         []string `json:"skus,omitempty" yaml:"skus"` // Graph part numbers (SPE_E3)
	Terms        []string `json:"terms,omitempty" yaml:"terms"`
	BillingPlans []string `json:"billingPlans,omitempty" yaml:"billing_plans"`
}

// Matches tells whether a subscription of part number, term and billing plan is
// affected.
func (a Affects) Matches(partNumber, term, billingPlan string) bool {
	in := func(list []string, v string) bool {
		return len(list) == 0 || slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, v) })
	}
	return in(a.SKUs, partNumber) && in(a.Terms, term) && in(a.BillingPlans, billingPlan)
}

// In is the announcement in a locale's language, else in English.
func (a Announced) In(locale string) Announcement {
	lang, _, _ := strings.Cut(strings.ToLower(locale), "-")
	t, ok := a.Text[lang]
	if !ok {
		t = a.Text["en"]
	}
	return Announcement{Title: t.Title, Body: t.Body, Effective: a.Effective}
}

var (
	yamlLinePrefix = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownField   = regexp.MustCompile(`^field (\S+) not found in type`)
)

// yamlLine splits the YAML library's "line N: problem" into the line and the problem.
func yamlLine(msg string) (int, string) {
	if m := yamlLinePrefix.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, m[2]
	}
	return 0, msg
}

var announcementKey = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,79}$`)

// ParseAnnouncement reads an announcement file (YAML):
//
//	key: annual-billed-monthly-2027-04
//	effective: 2027-04-01
//	affects: {terms: [P1Y], billing_plans: [monthly]}
//	text:
//	  en: {title: ..., body: ...}
//	  nl: {title: ..., body: ...}
//
// Every problem is reported at once, each naming file, line and field.
func ParseAnnouncement(data []byte, name string) (Announced, error) {
	probs := &problems.Collector{File: name}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlLine(strings.TrimPrefix(err.Error(), "yaml: "))
		probs.Add(line, "", "not YAML: %s", msg)
		return Announced{}, probs.Err()
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		probs.Add(0, "", "expected a mapping with key, effective, affects and text")
		return Announced{}, probs.Err()
	}
	root := doc.Content[0]
	// line is where the value at a path of keys is written, else its nearest parent.
	line := func(path ...string) int {
		n, at := root, root.Line
		for _, key := range path {
			if n.Kind != yaml.MappingNode {
				break
			}
			next := (*yaml.Node)(nil)
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					next, at = n.Content[i+1], n.Content[i].Line
				}
			}
			if next == nil {
				break
			}
			n = next
		}
		return at
	}
	var raw struct {
		Key       string                   `yaml:"key"`
		Effective string                   `yaml:"effective"`
		Affects   Affects                  `yaml:"affects"`
		Text      map[string]AnnouncedText `yaml:"text"`
	}
	// A misspelt key (affect:, billing_plan:) would silently widen the announcement
	// to every customer: unknown keys are refused.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			probs.Add(0, "", "%v", err)
			return Announced{}, probs.Err()
		}
		for _, e := range te.Errors {
			line, msg := yamlLine(e)
			if m := unknownField.FindStringSubmatch(msg); m != nil {
				probs.Add(line, m[1], "not a key of an announcement (key, effective, affects with skus, terms and billing_plans, text)")
				continue
			}
			probs.Add(line, "", "%s", msg)
		}
		return Announced{}, probs.Err()
	}
	a := Announced{Key: raw.Key, Affects: raw.Affects, Text: map[string]AnnouncedText{}, Source: name}
	if !announcementKey.MatchString(raw.Key) {
		probs.Add(line("key"), "key", "%q is not a key: lower-case letters, digits, '.', '_' and '-', at most 80", raw.Key)
	}
	if d, err := time.Parse(time.DateOnly, strings.TrimSpace(raw.Effective)); err != nil {
		probs.Add(line("effective"), "effective", "%q is not a date (YYYY-MM-DD)", raw.Effective)
	} else {
		a.Effective = d
	}
	for _, t := range raw.Affects.Terms {
		if !slices.Contains([]string{"P1M", "P1Y", "P3Y"}, strings.ToUpper(t)) {
			probs.Add(line("affects", "terms"), "affects.terms", "%q is not a term (P1M, P1Y or P3Y)", t)
		}
	}
	for _, p := range raw.Affects.BillingPlans {
		if !slices.Contains([]string{"monthly", "annual", "triennial"}, strings.ToLower(p)) {
			probs.Add(line("affects", "billing_plans"), "affects.billing_plans", "%q is not a billing plan (monthly, annual or triennial)", p)
		}
	}
	for lang, t := range raw.Text {
		l, ok := iso.Locale(lang)
		if !ok || strings.Contains(l, "-") {
			probs.Add(line("text", lang), "text."+lang, "%q is not a language notices are written in (%s)", lang, strings.Join(iso.Locales, ", "))
			continue
		}
		if strings.TrimSpace(t.Title) == "" || strings.TrimSpace(t.Body) == "" {
			probs.Add(line("text", lang), "text."+lang, "needs a title and a body")
		}
		a.Text[l] = AnnouncedText{Title: strings.TrimSpace(t.Title), Body: strings.TrimSpace(t.Body)}
	}
	if _, ok := a.Text["en"]; !ok {
		probs.Add(line("text"), "text.en", "English is required: it is what a customer in another language gets")
	}
	if err := probs.Err(); err != nil {
		return Announced{}, err
	}
	return a, nil
}

// String names the announcement for logs and messages.
func (a Announced) String() string {
	return fmt.Sprintf("%s (effective %s)", a.Key, a.Effective.Format(time.DateOnly))
}
