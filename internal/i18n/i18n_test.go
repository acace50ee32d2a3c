package i18n

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"
)

// Every counted noun has its English singular and plural, and no stray spaces.
func TestEnglishCountedNouns(t *testing.T) {
	data, err := os.ReadFile("messages/en.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ids map[string]any
	if err := yaml.Unmarshal(data, &ids); err != nil {
		t.Fatal(err)
	}
	for id, v := range ids {
		// Phrases of the notices have no count.
		if forms, ok := v.(map[string]any); !ok || forms["one"] == nil {
			continue
		}
		one, many := N(1, id), N(2, id)
		if !strings.HasPrefix(one, "1 ") || !strings.HasPrefix(many, "2 ") || one[2:] == many[2:] {
			t.Errorf("%s: %q, %q", id, one, many)
		}
		if zero := N(0, id); zero[2:] != many[2:] {
			t.Errorf("%s: 0 gives %q, want the plural", id, zero)
		}
		for _, s := range []string{one, many} {
			if strings.TrimSpace(s) != s || strings.Contains(s, "  ") {
				t.Errorf("%s: stray spaces in %q", id, s)
			}
		}
	}
	if got := N(1, "finding"); got != "1 finding" {
		t.Errorf("N(1, finding) = %q", got)
	}
	if _, err := English().Count("no-such-message", 1); err == nil {
		t.Error("a missing message rendered without an error")
	}
}

// A language with more plural forms than English gets them from CLDR: Croatian says
// 1 nalaz, 3 nalaza, 5 nalaza, 21 nalaz; a message it lacks falls back to English.
func TestPluralRulesOfOtherLanguages(t *testing.T) {
	fsys := fstest.MapFS{
		"messages/en.yaml": {Data: []byte("finding:\n  one: \"{{.Count}} finding\"\n  other: \"{{.Count}} findings\"\nuser:\n  one: \"{{.Count}} user\"\n  other: \"{{.Count}} users\"\n")},
		"messages/hr.yaml": {Data: []byte("finding:\n  one: \"{{.Count}} nalaz\"\n  few: \"{{.Count}} nalaza\"\n  other: \"{{.Count}} nalaza (other)\"\n")},
	}
	b, err := loadBundle(fsys)
	if err != nil {
		t.Fatal(err)
	}
	hr := b.Localizer("hr-HR")
	for n, want := range map[int]string{1: "1 nalaz", 3: "3 nalaza", 5: "5 nalaza (other)", 21: "21 nalaz", 22: "22 nalaza"} {
		if got, err := hr.Count("finding", n); err != nil || got != want {
			t.Errorf("hr %d = %q, %v; want %q", n, got, err, want)
		}
	}
	if got, err := hr.Count("user", 2); err != nil || got != "2 users" {
		t.Errorf("hr fallback = %q, %v", got, err)
	}
}

// Every language of the notices has every phrase and counted noun of the English
// notices, with the plural forms CLDR asks of it.
func TestNoticeMessagesInEveryLanguage(t *testing.T) {
	read := func(lang string) map[string]any {
		data, err := os.ReadFile("messages/" + lang + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var ids map[string]any
		if err := yaml.Unmarshal(data, &ids); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	en := read("en")
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"nl", "de", "fr", "it", "hr"} {
		ids := read(lang)
		for id, v := range en {
			if !strings.HasPrefix(id, "notice_") && !strings.HasPrefix(id, "finding_") {
				continue
			}
			got, ok := ids[id]
			if !ok {
				t.Errorf("%s: no %s", lang, id)
				continue
			}
			if _, counted := v.(map[string]any); counted {
				forms, ok := got.(map[string]any)
				want := []string{"one", "other"}
				if lang == "hr" {
					want = []string{"one", "few", "other"}
				}
				for _, f := range want {
					if !ok || forms[f] == nil {
						t.Errorf("%s: %s has no %q form", lang, id, f)
					}
				}
				for _, n := range []int{0, 1, 2, 5, 21} {
					if s, err := b.Localizer(lang).Count(id, n); err != nil || !strings.HasPrefix(s, strconv.Itoa(n)+" ") {
						t.Errorf("%s %s %d = %q, %v", lang, id, n, s, err)
					}
				}
			}
		}
	}
}

// Croatian licences: 1 licenca, 2 licence, 5 licenci, 21 licenca.
func TestCroatianLicences(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	hr := b.Localizer("hr")
	for n, want := range map[int]string{1: "1 licenca", 2: "2 licence", 4: "4 licence", 5: "5 licenci", 11: "11 licenci", 12: "12 licenci", 14: "14 licenci", 21: "21 licenca", 22: "22 licence", 111: "111 licenci"} {
		if got, err := hr.Count("notice_seat", n); err != nil || got != want {
			t.Errorf("%d = %q, %v; want %q", n, got, err, want)
		}
	}
	if got, err := hr.Text("finding_no-such-kind"); err == nil {
		t.Errorf("a missing phrase rendered as %q", got)
	}
	if got, err := hr.Localize("notice_user", 3, nil); err != nil || got != "3 korisnika" {
		t.Errorf("Localize = %q, %v", got, err)
	}
}
