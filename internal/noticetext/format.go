package noticetext

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bojanz/currency"
	"github.com/go-playground/locales"
	"github.com/go-playground/locales/de"
	"github.com/go-playground/locales/de_AT"
	"github.com/go-playground/locales/de_BE"
	"github.com/go-playground/locales/de_CH"
	"github.com/go-playground/locales/de_LU"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/en_GB"
	"github.com/go-playground/locales/en_IE"
	"github.com/go-playground/locales/en_NL"
	"github.com/go-playground/locales/fr"
	"github.com/go-playground/locales/fr_BE"
	"github.com/go-playground/locales/fr_CH"
	"github.com/go-playground/locales/fr_LU"
	"github.com/go-playground/locales/hr"
	"github.com/go-playground/locales/hr_BA"
	"github.com/go-playground/locales/it"
	"github.com/go-playground/locales/it_CH"
	"github.com/go-playground/locales/nl"
	"github.com/go-playground/locales/nl_BE"
	"github.com/shopspring/decimal"
)

// Money formats an amount for people in a locale, CLDR-correct via
// github.com/bojanz/currency: nl "€ 1.234,56", de "1.234,56 €", en "€1,234.56" (the
// spaces are U+00A0). The currency's own digits are shown; a region the CLDR data
// does not know formats as its language.
func Money(amount decimal.Decimal, code, locale string) (string, error) {
	f, err := formatter(code, locale)
	if err != nil {
		return "", err
	}
	a, err := currency.NewAmount(amount.String(), code)
	if err != nil {
		return "", fmt.Errorf("amount %s %s: %w", amount, code, err)
	}
	return f.Format(a), nil
}

type formatterKey struct{ code, locale string }

// Formatters are read-only once set up, so notices share them.
var formatters sync.Map // formatterKey → *currency.Formatter

func formatter(code, locale string) (*currency.Formatter, error) {
	key := formatterKey{code, locale}
	if f, ok := formatters.Load(key); ok {
		return f.(*currency.Formatter), nil
	}
	digits, ok := currency.GetDigits(code)
	if !ok {
		return nil, fmt.Errorf("currency %q: not an ISO 4217 code", code)
	}
	f := currency.NewFormatter(currency.NewLocale(locale))
	f.MinDigits, f.MaxDigits = digits, digits
	f.RoundingMode = currency.RoundHalfUp
	formatters.Store(key, f)
	return f, nil
}

// translators are the CLDR calendars of the locales notices are written in; a
// locale not listed uses its language's.
var translators = sync.OnceValue(func() map[string]locales.Translator {
	m := map[string]locales.Translator{}
	for _, t := range []locales.Translator{
		en.New(), en_GB.New(), en_IE.New(), en_NL.New(),
		nl.New(), nl_BE.New(),
		de.New(), de_AT.New(), de_BE.New(), de_CH.New(), de_LU.New(),
		fr.New(), fr_BE.New(), fr_CH.New(), fr_LU.New(),
		it.New(), it_CH.New(),
		hr.New(), hr_BA.New(),
	} {
		m[strings.ReplaceAll(t.Locale(), "_", "-")] = t
	}
	return m
})

func translator(locale string) locales.Translator {
	m := translators()
	if t, ok := m[locale]; ok {
		return t
	}
	lang, _, _ := strings.Cut(locale, "-")
	if t, ok := m[lang]; ok {
		return t
	}
	return m["en"]
}

// Date formats a day in the locale's long form from CLDR data: nl "1 december 2026",
// de "1. Dezember 2026", hr "1. prosinca 2026.". The day is the UTC one.
func Date(t time.Time, locale string) string {
	return translator(normalize(locale)).FmtDateLong(t.UTC())
}

// monthYear names a month and its year with CLDR's month names. Croatian gives the
// genitive ("prosinca"), which its templates place after "mjesec"; Croatian writes
// the year as an ordinal, with a dot.
func monthYear(t time.Time, locale string) string {
	t = t.UTC()
	s := fmt.Sprintf("%s %d", translator(locale).MonthWide(t.Month()), t.Year())
	if lang, _, _ := strings.Cut(locale, "-"); lang == "hr" {
		s += "."
	}
	return s
}

// normalize writes a locale as language[-REGION]: "de_at" → "de-AT".
func normalize(locale string) string {
	lang, region, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(locale), "_", "-"), "-")
	lang = strings.ToLower(lang)
	if !ok || region == "" {
		return lang
	}
	return lang + "-" + strings.ToUpper(region)
}
