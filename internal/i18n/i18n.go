// Package i18n holds the text seatledger writes for people, by message id, with the
// CLDR plural rules of each language (English one/other, Croatian one/few/other, ...).
// The CLI speaks English; the customer notices (package noticetext) speak the
// customer's language (nl, de, fr, it, hr), each a message file beside messages/en.yaml,
// and pick a Localizer per letter.
package i18n

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sync"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed messages/*.yaml
var messageFiles embed.FS

// Bundle is every message in every language.
type Bundle struct {
	b *goi18n.Bundle
}

// NewBundle loads the embedded message files, one per language, named by its tag
// (messages/en.yaml, messages/nl.yaml, ...). English is the language of last resort.
func NewBundle() (*Bundle, error) { return loadBundle(messageFiles) }

func loadBundle(fsys fs.FS) (*Bundle, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(fsys, "messages/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if _, err := b.ParseMessageFileBytes(data, path.Base(name)); err != nil {
			return nil, fmt.Errorf("message file %s: %w", name, err)
		}
	}
	return &Bundle{b: b}, nil
}

// Localizer speaks one language, falling back to English for a message the language
// lacks.
type Localizer struct {
	l *goi18n.Localizer
}

// Localizer returns the messages of the first of langs (BCP 47 tags such as nl-BE)
// that the bundle has.
func (b *Bundle) Localizer(langs ...string) *Localizer {
	return &Localizer{l: goi18n.NewLocalizer(b.b, append(langs, "en")...)}
}

// Count renders a counted noun ("1 finding", "2 findings") by the plural rules of the
// language. A message missing from every language is an error, never its id shown to
// a reader.
func (l *Localizer) Count(id string, n int) (string, error) {
	return l.localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}})
}

// Text renders a message without a count, such as a phrase or a label.
func (l *Localizer) Text(id string) (string, error) {
	return l.localize(&goi18n.LocalizeConfig{MessageID: id})
}

// Localize renders a message with template data; count picks the plural form, and
// data may use it as .Count.
func (l *Localizer) Localize(id string, count int, data map[string]any) (string, error) {
	td := map[string]any{"Count": count}
	for k, v := range data {
		td[k] = v
	}
	return l.localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
}

func (l *Localizer) localize(c *goi18n.LocalizeConfig) (string, error) {
	s, err := l.l.Localize(c)
	// go-i18n reports the English fallback as not found in the language asked for;
	// English is what a reader gets until the language has the message.
	var notFound *goi18n.MessageNotFoundErr
	if errors.As(err, &notFound) && s != "" {
		return s, nil
	}
	return s, err
}

var english = sync.OnceValue(func() *Localizer {
	b, err := NewBundle()
	if err != nil {
		// The message files are embedded: a broken one fails every test.
		panic(err)
	}
	return b.Localizer("en")
})

// English is the CLI's language.
func English() *Localizer { return english() }

// N is English().Count for the CLI's counted nouns, whose ids the tests check.
func N(n int, id string) string {
	s, err := English().Count(id, n)
	if err != nil {
		panic(fmt.Sprintf("i18n: %v", err))
	}
	return s
}
