// Package iso knows the ISO 4217 currency codes and ISO 3166-1 alpha-2 country codes
// that customers, contracts and price lists are written in, and the locales seatledger
// writes notices in.
package iso

import "strings"

// ISO 4217 active currency codes.
const currencyCodes = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR
LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP
PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP
TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`

// ISO 3166-1 alpha-2 country codes.
const countryCodes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER
ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM
IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF
MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK
PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD
TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`

// Locales are the languages seatledger writes customer notices in.
var Locales = []string{"en", "nl", "de", "fr", "it", "hr"}

var (
	currencies = set(currencyCodes)
	countries  = set(countryCodes)
)

func set(list string) map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}

// Currency returns the upper-case ISO 4217 code and whether it is one.
func Currency(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, currencies[c]
}

// Country returns the upper-case ISO 3166-1 alpha-2 code and whether it is one.
func Country(s string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(s))
	return c, countries[c]
}

// Locale accepts a supported language, optionally with a region ("nl", "nl-BE",
// "de_AT"), and returns it as language[-REGION].
func Locale(s string) (string, bool) {
	lang, region, hasRegion := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"), "-")
	lang = strings.ToLower(lang)
	supported := false
	for _, l := range Locales {
		if l == lang {
			supported = true
		}
	}
	if !supported {
		return "", false
	}
	if !hasRegion {
		return lang, true
	}
	region = strings.ToUpper(region)
	if !countries[region] {
		return "", false
	}
	return lang + "-" + region, true
}
