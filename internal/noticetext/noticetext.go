// Package noticetext renders a notice (notices.Letter) in the customer's language:
// a subject, a plain-text part and an HTML part from templates embedded in the
// binary, one set per kind and language, with amounts, dates and counted nouns as
// CLDR has them for the customer's locale.
package noticetext

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"log/slog"
	"strings"
	texttemplate "text/template"

	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/iso"
	"github.com/seatledger/seatledger/internal/notices"
)

//go:embed templates
var templateFiles embed.FS

// Rendered is a notice rendered once: what is previewed is what is sent.
type Rendered struct {
	Subject, Text, HTML string
	// Language is the language of the templates used: nl, en, ...
	Language string
}

// Renderer renders notices; it is safe for concurrent use.
type Renderer struct {
	logger    *slog.Logger
	bundle    *i18n.Bundle
	sets      map[setKey]*set
	languages map[string]bool
}

type setKey struct{ lang, kind string }

// set is the templates of one kind in one language.
type set struct {
	subject, text *texttemplate.Template
	html          *htmltemplate.Template
}

// New parses every embedded template once, so that a broken one fails at start-up.
func New(logger *slog.Logger) (*Renderer, error) {
	bundle, err := i18n.NewBundle()
	if err != nil {
		return nil, fmt.Errorf("notice messages: %w", err)
	}
	r := &Renderer{logger: logger, bundle: bundle, sets: map[setKey]*set{}, languages: map[string]bool{}}
	layout, err := htmltemplate.ParseFS(templateFiles, "templates/layout.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("notice layout: %w", err)
	}
	for _, lang := range iso.Locales {
		r.languages[lang] = true
		for _, kind := range notices.Kinds {
			s, err := parseSet(layout, lang, kind)
			if err != nil {
				return nil, fmt.Errorf("templates of %s in %s: %w", kind, lang, err)
			}
			r.sets[setKey{lang, kind}] = s
		}
	}
	return r, nil
}

func parseSet(layout *htmltemplate.Template, lang, kind string) (*set, error) {
	dir := "templates/" + lang + "/"
	subject, err := texttemplate.ParseFS(templateFiles, dir+kind+".subject.tmpl")
	if err != nil {
		return nil, err
	}
	text, err := texttemplate.ParseFS(templateFiles, dir+kind+".txt.tmpl", dir+"common.txt.tmpl", "templates/footer.txt.tmpl")
	if err != nil {
		return nil, err
	}
	html, err := layout.Clone()
	if err != nil {
		return nil, err
	}
	if html, err = html.ParseFS(templateFiles, dir+kind+".html.tmpl", dir+"common.html.tmpl"); err != nil {
		return nil, err
	}
	return &set{subject: subject, text: text, html: html}, nil
}

// Render renders a letter for its customer's locale. A region (de-AT) picks its
// language's templates and its own amounts and days; a language without templates
// gets English throughout, and the renderer says so in its log.
func (r *Renderer) Render(l notices.Letter, p notices.Partner) (Rendered, error) {
	locale := normalize(l.Locale)
	lang, _, _ := strings.Cut(locale, "-")
	if !r.languages[lang] {
		r.logger.Warn("no templates in the customer's language; writing English", "locale", l.Locale, "kind", l.Kind, "customer", l.Customer)
		lang, locale = "en", "en"
	}
	s, ok := r.sets[setKey{lang, l.Kind}]
	if !ok {
		return Rendered{}, fmt.Errorf("notice of kind %q in %s: no such kind", l.Kind, lang)
	}
	v := &view{Letter: l, Partner: p, Lang: lang, locale: locale, loc: r.bundle.Localizer(lang)}
	var out Rendered
	var b bytes.Buffer
	if err := s.subject.Execute(&b, v); err != nil {
		return Rendered{}, fmt.Errorf("subject of %s in %s: %w", l.Kind, lang, err)
	}
	// A subject is one line, whatever the template's line breaks.
	out.Subject = strings.Join(strings.Fields(b.String()), " ")
	v.Subject = out.Subject
	b.Reset()
	if err := s.text.ExecuteTemplate(&b, l.Kind+".txt.tmpl", v); err != nil {
		return Rendered{}, fmt.Errorf("text of %s in %s: %w", l.Kind, lang, err)
	}
	out.Text = tidy(b.String())
	b.Reset()
	if err := s.html.ExecuteTemplate(&b, "layout", v); err != nil {
		return Rendered{}, fmt.Errorf("HTML of %s in %s: %w", l.Kind, lang, err)
	}
	out.HTML = b.String()
	out.Language = lang
	return out, nil
}

// tidy trims trailing spaces and runs of blank lines that template conditionals
// leave behind, so the text part reads as typed.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, line := range lines {
		line = strings.TrimRight(line, " \t")
		if line == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, line)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
