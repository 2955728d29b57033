// Package account holds users, their sessions and tokens, and the authorization policy that
// every route of the web layer passes through.
package account

import (
	"regexp"
	"time"
)

// Role is what a user may do; see Policy and Decide.
type Role string

// The roles of DESIGN.md's authorization table.
const (
	Staf      Role = "staf"      // answers and uploads for their own kecamatan
	Camat     Role = "camat"     // as staf, and submits
	Evaluator Role = "evaluator" // reviews the units assigned to them
	Pimpinan  Role = "pimpinan"  // the bupati: reads everything, writes nothing
	Admin     Role = "admin"     // manages users, units, periods, instruments; never answers
)

// Roles lists every role in the order the UI shows them.
var Roles = []Role{Staf, Camat, Evaluator, Pimpinan, Admin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Label is the role's name in Bahasa Indonesia.
func (r Role) Label() string {
	switch r {
	case Staf:
		return "Staf Kecamatan"
	case Camat:
		return "Camat"
	case Evaluator:
		return "Evaluator"
	case Pimpinan:
		return "Pimpinan"
	case Admin:
		return "Administrator"
	}
	return string(r)
}

// User is a person who signs in. Staf and camat belong to a kecamatan (Unit).
type User struct {
	Username     string `bson:"_id" json:"username"`
	Name         string `bson:"name" json:"name"`
	NIP          string `bson:"nip,omitempty" json:"nip,omitempty"`
	Role         Role   `bson:"role" json:"role"`
	Unit         string `bson:"unit,omitempty" json:"unit,omitempty"`
	PasswordHash string `bson:"password_hash" json:"-"`
	Disabled     bool   `bson:"disabled,omitempty" json:"disabled,omitempty"`
	// MustChangePassword is set with a one-time password (a new account, a reset): until the
	// user sets their own, every request but the password change is refused.
	MustChangePassword bool      `bson:"must_change_password,omitempty" json:"must_change_password"`
	Created            time.Time `bson:"created" json:"-"`
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// ValidUsername reports whether s can be a username: lower-case letters, digits, dot, dash
// and underscore — never a `$` or anything else the database could read as an operator.
func ValidUsername(s string) bool { return usernameRe.MatchString(s) }
