package inventory

import "slices"

// Holds tells whether an assignment gives the user the licence and takes a seat:
// Active and ActiveWithError (an error in one of its plans) do; Error (for example
// CountViolation: no seat was free) and Disabled do not. An assignment read without
// a state (older tenants) holds.
func (a Assignment) Holds() bool {
	return a.State == "" || a.State == "Active" || a.State == "ActiveWithError"
}

// HeldSKUs lists the SKUs the user holds a seat of, each once, however many
// assignments (direct and through groups) grant it.
func (u User) HeldSKUs() []string {
	var out []string
	for _, a := range u.Assignments {
		if !a.Holds() {
			continue
		}
		if !slices.Contains(out, a.SKUID) {
			out = append(out, a.SKUID)
		}
	}
	return out
}

// Name is how a user is shown and named in findings: its principal name, else its
// mail address, else its object id (Graph can hand out a user without its principal
// name).
func (u User) Name() string {
	switch {
	case u.UPN != "":
		return u.UPN
	case u.Mail != "":
		return u.Mail
	}
	return u.ID
}
