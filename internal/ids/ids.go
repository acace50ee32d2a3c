// Package ids normalises the identifiers Microsoft hands out: tenant, SKU, service
// plan and subscription ids are GUIDs, compared and stored in lower case.
package ids

import "strings"

// ParseGUID accepts a GUID in the 8-4-4-4-12 form, optionally in braces, and returns
// it in lower case.
func ParseGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 38 && s[0] == '{' && s[37] == '}' {
		s = s[1:37]
	}
	if len(s) != 36 {
		return "", false
	}
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return "", false
			}
		}
	}
	return string(b), true
}
